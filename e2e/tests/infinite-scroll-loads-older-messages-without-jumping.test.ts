import type { Locator, Page, Route } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { openConversation, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

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

interface OlderPages {
  requested(): number;
  /** Lets the held request (and only it) through. */
  release(): void;
  /** Lets everything through from now on. */
  stop(): Promise<void>;
}

/**
 * Holds every older-messages request until released, so the test can note what is at
 * the top of the view before the older page arrives (no race with a fast server).
 */
async function holdOlderPages(page: Page): Promise<OlderPages> {
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
    async stop() {
      release();
      await page.unroute(OLDER_PAGE_URL);
    },
    release() {
      release();
      gate = new Promise<void>((r) => {
        release = r;
      });
    },
  };
}

/** Scrolls the log to the very top twice, checking each time that the view holds still. */
async function scrollToTopTwice(page: Page, older: OlderPages): Promise<void> {
  const log = page.getByRole("log", { name: "Messages" });
  for (let round = 1; round <= 2; round++) {
    const requestedBefore = older.requested();
    const heightBefore = await log.evaluate((el) => el.scrollHeight);
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect
      .poll(() => older.requested(), { timeout: UI_TIMEOUT_MS, message: `round ${round}: older page requested` })
      .toBeGreaterThan(requestedBefore);
    const anchor = await topVisibleMessage(log);
    const seenAbove = new Set(await idsAbove(log, anchor.id));

    older.release();
    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight), {
        timeout: UI_TIMEOUT_MS,
        message: `round ${round}: older messages inserted`,
      })
      .toBeGreaterThan(heightBefore);
    // Let new rows be measured and the view re-anchored: wait until scrolling stops changing.
    let last = -1;
    await expect
      .poll(
        async () => {
          const now = await log.evaluate((el) => el.scrollTop);
          const settled = now === last;
          last = now;
          return settled;
        },
        { timeout: UI_TIMEOUT_MS, interval: 250 },
      )
      .toBe(true);

    const after = await offsetOf(log, anchor.id);
    const nowAtTop = await topVisibleMessage(log);
    const moved = `round ${round}: message ${anchor.id} was ${anchor.offset.toFixed(1)}px below the log's top; now ${
      after === null ? "it is not even rendered" : `it is ${after.toFixed(1)}px below`
    } and ${nowAtTop.id} is at the top (${nowAtTop.offset.toFixed(1)}px)`;
    expect(after, moved).not.toBeNull();
    expect(Math.abs((after as number) - anchor.offset), moved).toBeLessThanOrEqual(MAX_SHIFT_PX);
    const newAbove = (await idsAbove(log, anchor.id)).filter((id) => !seenAbove.has(id));
    expect(newAbove.length, `round ${round}: older messages are rendered above the anchor`).toBeGreaterThan(0);
  }
}

/** Whether the message is wholly inside the log's visible box. */
async function inView(log: Locator, id: string): Promise<boolean> {
  return log.evaluate((el, messageId) => {
    const m = el.querySelector(`[data-testid="message"][data-message-id="${messageId}"]`);
    if (!m) return false;
    const r = m.getBoundingClientRect();
    const l = el.getBoundingClientRect();
    return r.top >= l.top - 1 && r.bottom <= l.bottom + 1;
  }, id);
}

describe("infinite scroll in a long conversation", () => {
  const h = useHarness();
  let alice: SignedIn;
  let log: Locator;
  /** The newest message, at the bottom when the conversation opens. */
  let newestId: string;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
  });

  it("opens at the newest message", async () => {
    await openConversation(alice.page, DEMO_NAMES.bob);
    log = alice.page.getByRole("log", { name: "Messages" });
    await log.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });
    newestId = (await log.getByTestId("message").last().getAttribute("data-message-id")) ?? "";
    await expect.poll(() => inView(log, newestId), { timeout: UI_TIMEOUT_MS }).toBe(true);
  });

  it("loads older messages at the top and keeps the top message where it was", async () => {
    const older = await holdOlderPages(alice.page);
    try {
      await scrollToTopTwice(alice.page, older);
    } finally {
      await older.stop();
    }
  });

  it("offers Jump to newest once scrolled up, and it brings the newest message back into view", async () => {
    await log.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    const jump = alice.page.getByRole("button", { name: "Jump to newest" });
    await jump.waitFor({ timeout: UI_TIMEOUT_MS });
    await jump.click();
    await jump.waitFor({ state: "hidden", timeout: UI_TIMEOUT_MS });
    await expect.poll(() => inView(log, newestId), { timeout: UI_TIMEOUT_MS }).toBe(true);
  });

  it("scrolls back offline, after a reload, as far as it had been scrolled online", async () => {
    const { page, context } = alice;
    // Online: scroll to the top until the older-page loads settle, and note the oldest message shown.
    let oldestOnline = "";
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => {
            el.scrollTop = 0;
          });
          const first = (await log.getByTestId("message").first().getAttribute("data-message-id")) ?? "";
          const settled = first === oldestOnline;
          oldestOnline = first;
          return settled;
        },
        { timeout: UI_TIMEOUT_MS, interval: 750 },
      )
      .toBe(true);
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: UI_TIMEOUT_MS,
    });

    await context.setOffline(true);
    try {
      await page.reload();
      await openConversation(page, DEMO_NAMES.bob);
      log = page.getByRole("log", { name: "Messages" });
      await log.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(
          async () => {
            await log.evaluate((el) => {
              el.scrollTop = 0;
            });
            return log.locator(`[data-message-id="${oldestOnline}"]`).count();
          },
          { timeout: UI_TIMEOUT_MS, interval: 500, message: `offline scroll-back reaches ${oldestOnline}` },
        )
        .toBe(1);
    } finally {
      await context.setOffline(false);
    }
  });
});
