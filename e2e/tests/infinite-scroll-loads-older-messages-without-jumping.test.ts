import type { Locator, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { openConversation, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { keepPagesOnFailure } from "../support/failures.js";
import { type Harness, startHarness } from "../support/harness.js";

/** How far the message that was at the top may move when older ones are inserted above it. */
const MAX_SHIFT_PX = 3;
const OLDER_PAGE_URL = /\/api\/conversations\/[^/]+\/messages\?/;

interface TopMessage {
  id: string;
  /** Its top edge relative to the log's top edge. */
  offset: number;
}

/** The first message whose box reaches into the visible part of the log. */
async function topVisibleMessage(log: Locator): Promise<TopMessage> {
  return log.evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    const rows = Array.from(el.querySelectorAll<HTMLElement>('[data-testid="message"]'))
      .map((m) => ({ id: m.dataset.messageId ?? "", rect: m.getBoundingClientRect() }))
      .filter((m) => m.rect.bottom > top)
      .sort((a, b) => a.rect.top - b.rect.top);
    const first = rows[0];
    if (!first) throw new Error("no message is visible in the log");
    return { id: first.id, offset: first.rect.top - top };
  });
}

async function offsetOf(log: Locator, id: string): Promise<number | null> {
  return log.evaluate((el, messageId) => {
    const m = el.querySelector(`[data-testid="message"][data-message-id="${messageId}"]`);
    return m ? m.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  }, id);
}

/** Ids of the rendered messages that sit above the given one. */
async function idsAbove(log: Locator, id: string): Promise<string[]> {
  return log.evaluate((el, messageId) => {
    const anchor = el.querySelector(`[data-testid="message"][data-message-id="${messageId}"]`);
    if (!anchor) return [];
    const top = anchor.getBoundingClientRect().top;
    return Array.from(el.querySelectorAll<HTMLElement>('[data-testid="message"]'))
      .filter((m) => m.getBoundingClientRect().top < top)
      .map((m) => m.dataset.messageId ?? "");
  }, id);
}

/**
 * Holds every older-messages request until released, so the test can note what is at
 * the top of the view before the older page arrives (no race with a fast server).
 */
async function holdOlderPages(page: Page) {
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  let requested = 0;
  await page.route(OLDER_PAGE_URL, async (route: Route) => {
    requested++;
    await gate;
    await route.continue();
  });
  return {
    requested: () => requested,
    release() {
      release();
      gate = new Promise<void>((r) => {
        release = r;
      });
    },
  };
}

describe("infinite scroll in a long conversation", () => {
  let h: Harness;
  let alice: SignedIn;

  beforeAll(async () => {
    h = await startHarness();
    alice = await signedInContext(h.browser, h.baseURL, "alice");
  });
  afterAll(async () => {
    await h?.stop();
  });
  keepPagesOnFailure(() => h?.browser);

  it("loads older messages at the top and keeps the top message where it was", async () => {
    const { page } = alice;
    const older = await holdOlderPages(page);
    await openConversation(page, DEMO_NAMES.bob);
    const log = page.getByRole("log", { name: "Messages" });
    await log.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });

    for (let round = 1; round <= 2; round++) {
      const requestedBefore = older.requested();
      const heightBefore = await log.evaluate((el) => el.scrollHeight);
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await expect.poll(() => older.requested(), { timeout: UI_TIMEOUT_MS, message: `round ${round}: older page requested` }).toBeGreaterThan(requestedBefore);
      const anchor = await topVisibleMessage(log);
      const seenAbove = new Set(await idsAbove(log, anchor.id));

      older.release();
      await expect
        .poll(() => log.evaluate((el) => el.scrollHeight), { timeout: UI_TIMEOUT_MS, message: `round ${round}: older messages inserted` })
        .toBeGreaterThan(heightBefore);
      // Let rows be measured and the anchor re-applied: wait until the top message stops moving.
      let last = await offsetOf(log, anchor.id);
      await expect
        .poll(
          async () => {
            const now = await offsetOf(log, anchor.id);
            const settled = now !== null && last !== null && Math.abs(now - last) < 0.5;
            last = now;
            return settled;
          },
          { timeout: UI_TIMEOUT_MS, interval: 200 },
        )
        .toBe(true);

      const after = await offsetOf(log, anchor.id);
      expect(after, `round ${round}: message ${anchor.id} is still rendered`).not.toBeNull();
      expect(Math.abs((after as number) - anchor.offset), `round ${round}: message at the top moved from ${anchor.offset}px to ${after}px`).toBeLessThanOrEqual(MAX_SHIFT_PX);
      const newAbove = (await idsAbove(log, anchor.id)).filter((id) => !seenAbove.has(id));
      expect(newAbove.length, `round ${round}: older messages are rendered above the anchor`).toBeGreaterThan(0);
      expect(await log.evaluate((el) => el.scrollTop), `round ${round}: the view stayed put instead of showing the top`).toBeGreaterThan(0);
    }
  });
});
