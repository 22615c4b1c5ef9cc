/**
 * The app as a user drives it, by the UI contract (roles, labels, data-testid):
 * sign in, move between sections, open a conversation, send, find messages.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { DEMO_PASSWORD } from "./api.js";
import { newContext, type Viewport } from "./browser.js";

/** Long enough for a cold page load plus a socket sync on two busy cores. */
export const UI_TIMEOUT_MS = 20_000;

export type Section = "Active" | "All conversations" | "People" | "Settings";

/** The signed-in shell is showing: the section navigation is there. */
export async function waitForShell(page: Page): Promise<void> {
  await page.getByRole("link", { name: "Settings", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Opens the app and signs in through the sign-in form (a username or an email). */
export async function signIn(page: Page, identifier: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/");
  await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
  await page.getByLabel("Email or username", { exact: true }).fill(identifier);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await waitForShell(page);
}

export interface SignedIn {
  context: BrowserContext;
  page: Page;
}

/** A fresh browser context (its own cookies and storage) with `username` signed in. */
export async function signedInContext(
  browser: Browser,
  baseURL: string,
  username: string,
  viewport: Viewport = "desktop",
): Promise<SignedIn> {
  const context = await newContext(browser, baseURL, viewport);
  const page = await context.newPage();
  await signIn(page, username);
  return { context, page };
}

export async function goToSection(page: Page, section: Section): Promise<void> {
  await page.getByRole("link", { name: section, exact: true }).click();
  await page.getByRole("heading", { name: section, exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
}

export function conversationItem(page: Page, peerName: string): Locator {
  // By the row's name, not anywhere in it: a group's preview may name the peer too.
  return page.getByTestId("conversation-item").filter({ has: page.locator(".row-name", { hasText: peerName }) });
}

/** Opens the conversation with `peerName` from "All conversations"; waits for its heading and log. */
export async function openConversation(page: Page, peerName: string): Promise<void> {
  await goToSection(page, "All conversations");
  await conversationItem(page, peerName).getByRole("link").click();
  await waitForConversation(page, peerName);
}

export async function waitForConversation(page: Page, peerName: string): Promise<void> {
  await page.getByRole("heading", { name: peerName, exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
  await page.getByRole("log", { name: "Messages" }).waitFor({ timeout: UI_TIMEOUT_MS });
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Every rendered message whose text contains `text`. */
export function messagesWith(page: Page, text: string): Locator {
  return page.getByTestId("message").filter({ hasText: text });
}

/** Opens Settings and signs out; waits for the sign-in screen. */
export async function signOut(page: Page): Promise<void> {
  await goToSection(page, "Settings");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Opens the app in a context that is already signed in. */
export async function openApp(page: Page, path = "/"): Promise<void> {
  await page.goto(path);
  await waitForShell(page);
}

/** The signed-in user's id, as the page's own session reports it. */
export async function signedInUserId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const res = await fetch("/api/auth/get-session");
    const body = (await res.json()) as { user?: { id: string } } | null;
    if (!body?.user) throw new Error("this page is not signed in");
    return body.user.id;
  });
}

/** Waits until the service worker controls the page, so the next start can be served offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: UI_TIMEOUT_MS });
}

/**
 * Writes `text` to `peerName` offline in a tab that never had a socket: offline, reload, send.
 * (Chromium's offline emulation holds an open socket's frames and lets them out when the tab
 * closes, so a tab that was online would deliver the message itself.)
 */
export async function writeOfflineWithoutASocket(signedIn: SignedIn, peerName: string, text: string): Promise<void> {
  await signedIn.context.setOffline(true);
  await signedIn.page.reload();
  await waitForConversation(signedIn.page, peerName);
  await sendMessage(signedIn.page, text);
  await messagesWith(signedIn.page, text).waitFor({ timeout: UI_TIMEOUT_MS });
}
