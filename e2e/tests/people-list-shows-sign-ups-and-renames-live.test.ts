import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiSignIn, apiUpdateName, DEMO_NAMES } from "../support/api.js";
import { goToSection, type SignedIn, signedInContext, UI_TIMEOUT_MS, waitForShell } from "../support/app.js";
import { newContext } from "../support/browser.js";
import { useHarness } from "../support/harness.js";

const NEWCOMER = { name: "Olga Orlova", username: "olga", email: "olga@example.com", password: "olga's long password" };

describe("the live directory on the People screen", () => {
  const h = useHarness();
  let alice: SignedIn;
  /** Requests alice's page made for the directory over REST since the mark was set. */
  let usersRequests: string[] = [];

  const person = (page: Page, name: string): Locator => page.getByTestId("user-item").filter({ hasText: name });

  /** A value stored in the page's window: still there afterwards means the page was not reloaded. */
  const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { __noReload: true }));
  const stillMarked = (page: Page) => page.evaluate(() => (window as { __noReload?: boolean }).__noReload === true);

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await goToSection(alice.page, "People");
    await person(alice.page, DEMO_NAMES.bob).waitFor({ timeout: UI_TIMEOUT_MS });
    // Live only once the inbox socket (which carries presence and the directory) is up.
    await alice.page
      .locator('[data-testid="connection-status"][data-state="online"]')
      .first()
      .waitFor({ state: "attached", timeout: UI_TIMEOUT_MS });
    alice.page.on("request", (req) => {
      if (new URL(req.url()).pathname === "/api/users") usersRequests.push(req.url());
    });
  });

  it("shows someone who signs up in another browser, without a reload or a directory request", async () => {
    await markPage(alice.page);
    usersRequests = [];
    const context = await newContext(h.browser, h.baseURL);
    const page = await context.newPage();
    await page.goto("/");
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Name", { exact: true }).fill(NEWCOMER.name);
    await page.getByLabel("Username", { exact: true }).fill(NEWCOMER.username);
    await page.getByLabel("Email", { exact: true }).fill(NEWCOMER.email);
    await page.getByLabel("Password", { exact: true }).fill(NEWCOMER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await waitForShell(page);

    await person(alice.page, NEWCOMER.name).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await person(alice.page, NEWCOMER.name).textContent()).toContain(`@${NEWCOMER.username}`);
    expect(await stillMarked(alice.page)).toBe(true);
    expect(usersRequests).toEqual([]);
    await context.close();
  });

  it("replaces a renamed user's name in People and in the conversation list, without a reload", async () => {
    await markPage(alice.page);
    usersRequests = [];
    const bob = await apiSignIn(h.baseURL, "bob");
    await apiUpdateName(bob, "Robert Baker");

    await person(alice.page, "Robert Baker").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await person(alice.page, DEMO_NAMES.bob).count()).toBe(0);
    await goToSection(alice.page, "All conversations");
    await alice.page.getByTestId("conversation-item").filter({ hasText: "Robert Baker" }).first().waitFor({
      timeout: UI_TIMEOUT_MS,
    });
    expect(await alice.page.getByTestId("conversation-item").filter({ hasText: DEMO_NAMES.bob }).count()).toBe(0);
    expect(await stillMarked(alice.page)).toBe(true);
    expect(usersRequests).toEqual([]);
  });
});
