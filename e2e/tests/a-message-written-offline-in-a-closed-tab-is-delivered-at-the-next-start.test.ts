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

describe("the outbox", () => {
  const h = useHarness();
  let alice: SignedIn;
  let carolApi: ApiSession;
  let conversationId: string;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    // A browser without Background Sync (Firefox, Safari): only the next start can deliver.
    // (Chromium's would fire at once here: its offline emulation does not reach the service worker.)
    await alice.context.addInitScript(() =>
      Object.defineProperty(ServiceWorkerRegistration.prototype, "sync", { get: () => undefined, configurable: true }),
    );
    await openApp(alice.page);
    carolApi = await apiSignIn(h.baseURL, "carol");
    const aliceId = await signedInUserId(alice.page);
    conversationId = (await apiConversationWith(carolApi, aliceId)).id;
    await openConversation(alice.page, DEMO_NAMES.carol);
    await waitForServiceWorker(alice.page);
  });

  /** How many messages with this text the server stored, as carol reads them over HTTP. */
  const stored = async (text: string) =>
    (await apiMessages(carolApi, conversationId, 20)).filter((m) => m.text === text).length;

  it("delivers a message written offline in a since-closed tab at the next start at /, once, without its conversation being opened, and lists it as sending until then", async () => {
    const { context } = alice;
    const text = uniqueText("written offline, tab closed");

    // As the repro: offline, then a reload, so this tab never had a socket.
    await writeOfflineWithoutASocket(alice, DEMO_NAMES.carol, text);
    expect(await messagesWith(alice.page, text).getAttribute("data-pending")).toBe("true");
    await alice.page.close();

    // The next start, still offline: the list says the message is waiting to be sent.
    const page = await context.newPage();
    await openApp(page, "/");
    await goToSection(page, "All conversations");
    const item = conversationItem(page, DEMO_NAMES.carol);
    await expect.poll(() => item.getAttribute("data-outbox"), { timeout: UI_TIMEOUT_MS }).toBe("sending");
    expect(await item.textContent()).toContain("Sending…");
    expect(await item.textContent()).toContain(text);
    expect(await stored(text)).toBe(0);

    // Online again, still on the list: it goes out with no conversation open.
    await context.setOffline(false);
    await expect.poll(() => stored(text), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(new URL(page.url()).pathname).toBe("/all");
    await expect.poll(() => item.getAttribute("data-outbox"), { timeout: UI_TIMEOUT_MS }).toBe("none");
    expect(await item.textContent()).not.toContain("Sending…");

    // A later message through the same document proves the first had every chance to arrive twice.
    await openConversation(page, DEMO_NAMES.carol);
    const marker = uniqueText("after the outbox");
    await sendMessage(page, marker);
    await expect.poll(() => stored(marker), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await stored(text)).toBe(1);
    expect(await messagesWith(page, text).count()).toBe(1);
    await expect.poll(() => messagesWith(page, text).getAttribute("data-pending")).toBe("false");
  });
});
