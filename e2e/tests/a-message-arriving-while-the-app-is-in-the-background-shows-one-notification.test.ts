/**
 * Notifications: turned on from Settings (the browser grants the permission here, as a user
 * clicking "Allow" would), a message from someone else arriving while the tab is in the
 * background shows a system notification through the service worker, read back with the real
 * `registration.getNotifications()`. A muted conversation and my own messages show none.
 *
 * The tab goes to the background for real, as far as headless Chromium allows: it never reports
 * a tab `hidden` (not for a tab behind another, nor a minimized window), but with Playwright's
 * focus emulation turned off, another tab brought to the front takes the focus and
 * `document.hasFocus()` turns false, which the app takes as "not looking" as it does `hidden`.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ApiSession,
  apiConversationWith,
  apiPostMessage,
  apiSignIn,
  DEMO_NAMES,
  uniqueText,
} from "../support/api.js";
import {
  goToSection,
  openConversation,
  type SignedIn,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

interface Shown {
  title: string;
  body: string;
  tag: string;
}

/** The notifications the page's service worker registration is showing. */
const shownNotifications = (page: Page): Promise<Shown[]> =>
  page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    const list = registration ? await registration.getNotifications() : [];
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });

describe("a message arriving while the app is in the background", () => {
  const h = useHarness();
  let alice: SignedIn;
  let aliceId: string;
  let bob: ApiSession;
  let carol: ApiSession;
  let aliceElsewhere: ApiSession;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await alice.context.grantPermissions(["notifications"], { origin: h.baseURL });
    aliceId = await signedInUserId(alice.page);
    [bob, carol, aliceElsewhere] = await Promise.all([
      apiSignIn(h.baseURL, "bob"),
      apiSignIn(h.baseURL, "carol"),
      apiSignIn(h.baseURL, "alice"),
    ]);
    await alice.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  });

  it("is asked for only from Settings, which then says notifications are on", async () => {
    await goToSection(alice.page, "Settings");
    const state = alice.page.getByTestId("notifications-state");
    await expect.poll(() => state.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("off");
    await alice.page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect.poll(() => state.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("on");
    await alice.page.getByRole("button", { name: "Turn off notifications" }).waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("shows a notification for the other's message, none for a muted conversation or my own", async () => {
    // Mute carol's conversation from its header.
    await openConversation(alice.page, DEMO_NAMES.carol);
    await alice.page.getByRole("button", { name: "Mute notifications" }).click();
    await alice.page.getByRole("button", { name: "Unmute notifications" }).waitFor({ timeout: UI_TIMEOUT_MS });
    await goToSection(alice.page, "All conversations");

    // Another tab comes to the front: this one loses the focus (Playwright otherwise pretends every page has it).
    const cdp = await alice.context.newCDPSession(alice.page);
    await cdp.send("Emulation.setFocusEmulationEnabled", { enabled: false });
    const other = await alice.context.newPage();
    await other.bringToFront();
    await expect.poll(() => alice.page.evaluate(() => document.hasFocus()), { timeout: UI_TIMEOUT_MS }).toBe(false);

    const [withBob, withCarol, withDave] = await Promise.all([
      apiConversationWith(bob, aliceId),
      apiConversationWith(carol, aliceId),
      apiConversationWith(aliceElsewhere, (await apiSignIn(h.baseURL, "dave")).userId),
    ]);
    // Muted, and my own (from another device): neither should show. Then bob's, which must.
    await apiPostMessage(carol, withCarol.id, uniqueText("carol, muted"));
    await apiPostMessage(aliceElsewhere, withDave.id, uniqueText("my own"));
    const text = uniqueText("bob asks: lunch at https://example.com?");
    await apiPostMessage(bob, withBob.id, text);

    await expect
      .poll(async () => (await shownNotifications(alice.page)).find((n) => n.tag === withBob.id), {
        timeout: UI_TIMEOUT_MS,
      })
      .toEqual({ title: DEMO_NAMES.bob, body: text, tag: withBob.id });
    // Those came before bob's, on the same inbox: had they shown, they would be here already.
    const tags = (await shownNotifications(alice.page)).map((n) => n.tag);
    expect(tags).not.toContain(withCarol.id);
    expect(tags).not.toContain(withDave.id);

    // A second message from bob replaces the first (one notification per conversation).
    const again = uniqueText("bob again");
    await apiPostMessage(bob, withBob.id, again);
    await expect
      .poll(async () => (await shownNotifications(alice.page)).filter((n) => n.tag === withBob.id), {
        timeout: UI_TIMEOUT_MS,
      })
      .toEqual([{ title: DEMO_NAMES.bob, body: again, tag: withBob.id }]);

    // The muted conversation still counts unread, with a muted badge.
    await other.close();
    const carolRow = alice.page.locator(`[data-testid="conversation-item"][data-conversation-id="${withCarol.id}"]`);
    await expect.poll(() => carolRow.getAttribute("data-muted"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    await expect.poll(() => carolRow.getAttribute("data-unread"), { timeout: UI_TIMEOUT_MS }).toBe("true");
  });
});
