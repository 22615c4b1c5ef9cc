import type { BrowserContext } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ApiSession,
  apiConversationWith,
  apiMessages,
  apiSignIn,
  DEMO_NAMES,
  uniqueText,
} from "../support/api.js";
import {
  conversationItem,
  goToSection,
  messagesWith,
  openApp,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
  waitForServiceWorker,
  writeOfflineWithoutASocket,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

/**
 * Fires Background Sync as the browser does when the network comes back, from a blank tab
 * (not one of the app's), so the service worker sees no tab of the app on screen.
 */
async function fireBackgroundSync(context: BrowserContext, origin: string, tag: string): Promise<void> {
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const registration = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const mine = registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted);
      if (mine) resolve(mine.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  await cdp.send("ServiceWorker.dispatchSyncEvent", { origin, registrationId, tag, lastChance: false });
  await blank.close();
}

describe("Background Sync", () => {
  const h = useHarness();
  let alice: SignedIn;
  let aliceId: string;
  let carolApi: ApiSession;
  let conversationId: string;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    carolApi = await apiSignIn(h.baseURL, "carol");
    aliceId = await signedInUserId(alice.page);
    conversationId = (await apiConversationWith(carolApi, aliceId)).id;
    await openConversation(alice.page, DEMO_NAMES.carol);
    await waitForServiceWorker(alice.page);
  });

  const stored = async (text: string) =>
    (await apiMessages(carolApi, conversationId, 20)).filter((m) => m.text === text).length;

  it("lets the service worker post a message written offline with no tab of the app open, and the app's own copy stays the same one message", async () => {
    const { context } = alice;
    const text = uniqueText("posted by the service worker");
    // As the repro: offline, then a reload, so this tab never had a socket.
    await writeOfflineWithoutASocket(alice, DEMO_NAMES.carol, text);
    await alice.page.close();
    await context.setOffline(false);
    expect(await stored(text)).toBe(0);

    await fireBackgroundSync(context, new URL(h.baseURL).origin, `outbox:${aliceId}`);
    await expect.poll(() => stored(text), { timeout: UI_TIMEOUT_MS }).toBe(1);

    // The next start syncs the document that also holds it: still one message, confirmed, nothing refused.
    const page = await context.newPage();
    await openApp(page, "/");
    await goToSection(page, "All conversations");
    const item = conversationItem(page, DEMO_NAMES.carol);
    await expect.poll(() => item.getAttribute("data-outbox"), { timeout: UI_TIMEOUT_MS }).toBe("none");
    await openConversation(page, DEMO_NAMES.carol);
    await messagesWith(page, text).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => messagesWith(page, text).getAttribute("data-pending"), { timeout: UI_TIMEOUT_MS })
      .toBe("false");
    const marker = uniqueText("after the service worker");
    await sendMessage(page, marker);
    await expect.poll(() => stored(marker), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await stored(text)).toBe(1);
    expect(await messagesWith(page, text).count()).toBe(1);
    expect(await page.getByTestId("sync-stopped").count()).toBe(0);
  });
});
