import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type ApiSession, apiConversations, apiMessages, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import { messagesWith, openConversation, sendMessage, signedInUserId, signIn, UI_TIMEOUT_MS } from "../support/app.js";
import { newContext } from "../support/browser.js";
import { useHarness } from "../support/harness.js";

declare global {
  interface Window {
    closeCodes?: number[];
  }
}

describe("a retryable close", () => {
  // A tiny write budget, so a few quick messages trip it and the relay closes the socket with 1013.
  const h = useHarness({ WRITE_BURST: "2", WRITES_PER_SECOND: "1" });
  let page: Page;
  let daveApi: ApiSession;
  let conversationId: string;

  beforeAll(async () => {
    const context = await newContext(h.browser, h.baseURL);
    // Record the close code of every socket the app opens (the page cannot see them otherwise).
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener("close", (e) => {
            window.closeCodes = [...(window.closeCodes ?? []), e.code];
          });
        }
      };
    });
    page = await context.newPage();
    await signIn(page, "alice");
    daveApi = await apiSignIn(h.baseURL, "dave");
    const aliceId = await signedInUserId(page);
    conversationId =
      (await apiConversations(daveApi)).find((c) => c.kind === "direct" && c.memberIds.includes(aliceId))?.id ?? "";
    await openConversation(page, DEMO_NAMES.dave);
  });

  it("says Reconnecting while the socket is down, reconnects by itself, and delivers every message once", async () => {
    const texts = Array.from({ length: 6 }, (_, i) => uniqueText(`burst ${i}`));
    for (const text of texts) await sendMessage(page, text);
    const chip = page.getByTestId("connection-status").first();

    await expect.poll(() => page.evaluate(() => window.closeCodes ?? []), { timeout: UI_TIMEOUT_MS }).toContain(1013);
    await expect.poll(() => chip.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("reconnecting");

    const stored = async () => {
      const messages = await apiMessages(daveApi, conversationId, 20);
      return texts.map((t) => messages.filter((m) => m.text === t).length);
    };
    await expect.poll(stored, { timeout: UI_TIMEOUT_MS }).toEqual(texts.map(() => 1));
    await expect.poll(() => chip.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("online");
    for (const text of texts) {
      await expect.poll(() => messagesWith(page, text).getAttribute("data-pending")).toBe("false");
      expect(await messagesWith(page, text).count()).toBe(1);
    }
    expect(await page.getByTestId("sync-stopped").count()).toBe(0);
  });
});
