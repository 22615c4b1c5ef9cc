import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../support/api.js";
import { signOut, UI_TIMEOUT_MS, waitForShell } from "../support/app.js";
import { newContext } from "../support/browser.js";
import { useHarness } from "../support/harness.js";

/** The session the page's cookies carry, as the server sees it (null when signed out). */
const signedInUserIdOrNull = (page: Page) =>
  page.evaluate(async () => {
    const body = (await (await fetch("/api/auth/get-session")).json()) as { user?: { id: string } } | null;
    return body?.user?.id ?? null;
  });

const NEW_USER = { name: "Nina Novak", username: "nina", email: "nina@example.com", password: "correct horse battery" };

describe("signing up and signing in", () => {
  const h = useHarness();
  let context: BrowserContext;
  let page: Page;

  /** A new context per test: no cookie or storage carries over from the previous one. */
  const freshPage = async () => {
    await context?.close();
    context = await newContext(h.browser, h.baseURL);
    page = await context.newPage();
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
  };

  const fillSignIn = async (identifier: string, password: string) => {
    await page.getByLabel("Email or username", { exact: true }).fill(identifier);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  };

  it("creates an account and lands in the app signed in", async () => {
    await freshPage();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create account" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(NEW_USER.name);
    await page.getByLabel("Username", { exact: true }).fill(NEW_USER.username);
    await page.getByLabel("Email", { exact: true }).fill(NEW_USER.email);
    await page.getByLabel("Password", { exact: true }).fill(NEW_USER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await waitForShell(page);
    // Settings shows who is signed in.
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByText(NEW_USER.email).waitFor({ timeout: UI_TIMEOUT_MS });
    await signOut(page);
  });

  it("signs the new user in with their username", async () => {
    await freshPage();
    await fillSignIn(NEW_USER.username, NEW_USER.password);
    await waitForShell(page);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByText(NEW_USER.email).waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("signs the new user in with their email", async () => {
    await freshPage();
    await fillSignIn(NEW_USER.email, NEW_USER.password);
    await waitForShell(page);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByText(NEW_USER.email).waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("signs a seeded user in with their email", async () => {
    await freshPage();
    await fillSignIn("carol@example.com", DEMO_PASSWORD);
    await waitForShell(page);
  });

  it("signing up with an email that already has an account signs no one in and asks to sign in with its password", async () => {
    await freshPage();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create account" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Not Carol");
    await page.getByLabel("Username", { exact: true }).fill("not_carol");
    await page.getByLabel("Email", { exact: true }).fill("carol@example.com");
    await page.getByLabel("Password", { exact: true }).fill("someone else's password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
    const status = page.getByRole("status").filter({ hasText: "sign in with its password" });
    await status.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByLabel("Email or username", { exact: true }).inputValue()).toBe("carol@example.com");
    expect(await page.getByRole("link", { name: "Settings", exact: true }).count()).toBe(0);
    expect(await signedInUserIdOrNull(page)).toBeNull();
  });

  it("shows an alert and stays on sign-in for a wrong password", async () => {
    await freshPage();
    await fillSignIn(NEW_USER.username, "not the password");
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: UI_TIMEOUT_MS });
    const message = (await alert.textContent())?.trim() ?? "";
    expect(message).not.toBe("");
    // A sentence for a person, not an error code.
    expect(message).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/);
    expect(await page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Settings", exact: true }).count()).toBe(0);
  });
});
