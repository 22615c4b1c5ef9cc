import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type ApiSession, apiConversations, apiMessages, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

/** Waits until the service worker controls the page, so a reload can be served from its cache. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: UI_TIMEOUT_MS });
}

async function connectionState(page: Page): Promise<string | null> {
  return page.getByTestId("connection-status").first().getAttribute("data-state");
}

describe("sending while offline", () => {
  const h = useHarness();
  let alice: SignedIn;
  let carol: SignedIn;
  let carolApi: ApiSession;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    carol = await signedInContext(h.browser, h.baseURL, "carol");
    carolApi = await apiSignIn(h.baseURL, "carol");
    await openConversation(alice.page, DEMO_NAMES.carol);
    await openConversation(carol.page, DEMO_NAMES.alice);
    await waitForServiceWorker(alice.page);
  });

  it("keeps a message sent offline through a reload and delivers it exactly once", async () => {
    const { context, page } = alice;
    const text = uniqueText("written on the train");

    await context.setOffline(true);
    await expect.poll(() => connectionState(page), { timeout: UI_TIMEOUT_MS }).toBe("offline");
    await sendMessage(page, text);
    const mine = messagesWith(page, text);
    await mine.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await mine.getAttribute("data-pending")).toBe("true");

    // Still offline: the shell comes from the service worker, the conversation from IndexedDB.
    await page.reload();
    await waitForConversation(page, DEMO_NAMES.carol);
    await mine.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await mine.count()).toBe(1);
    expect(await mine.getAttribute("data-pending")).toBe("true");
    expect(await page.getByTestId("message").count(), "earlier messages, from IndexedDB").toBeGreaterThan(1);
    expect(await connectionState(page)).toBe("offline");
    expect(await messagesWith(carol.page, text).count()).toBe(0);

    await context.setOffline(false);
    await messagesWith(carol.page, text).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => mine.getAttribute("data-pending"), { timeout: UI_TIMEOUT_MS }).toBe("false");

    // A later message arriving proves the earlier one had every chance to arrive twice.
    const marker = uniqueText("back online");
    await sendMessage(page, marker);
    await messagesWith(carol.page, marker).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await messagesWith(carol.page, text).count(), "on carol's screen").toBe(1);
    expect(await mine.count(), "on alice's screen").toBe(1);

    const conversation = (await apiConversations(carolApi)).find((c) => c.lastMessage?.text === marker);
    expect(conversation, "carol's conversation with alice ends with the marker").toBeDefined();
    const stored = await apiMessages(carolApi, conversation?.id ?? "");
    expect(stored.filter((m) => m.text === text)).toHaveLength(1);
  });
});
