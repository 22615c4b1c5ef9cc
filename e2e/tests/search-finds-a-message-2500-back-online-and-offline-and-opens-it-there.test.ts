/**
 * The search box finds the seeded needle ("quokka", 2,500 messages back in alice–bob, in a
 * segment no client opens live) through the server, opens the conversation there, and —
 * offline, after a reload — finds it again on this device and opens it from there.
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import {
  type SignedIn,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
  waitForServiceWorker,
  waitForShell,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

/** seeds/README.md: the needle is seed-00499 in alice–bob, and the only seeded text with "quokka". */
const NEEDLE_ID = "seed-00499";
const NEEDLE_WORD = "quokka";
const NEWEST_ID = "seed-02999";

function searchBox(page: Page): Locator {
  return page.getByRole("searchbox", { name: "Search conversations and messages" });
}

/** The hits under the conversation with `title` (results are grouped by conversation). */
function hitsUnder(page: Page, title: string): Locator {
  return page
    .getByTestId("search-group")
    .filter({ has: page.getByTestId("search-group-title").getByText(title, { exact: true }) })
    .getByTestId("search-hit");
}

/** The message the conversation was opened at: highlighted and aria-current. */
function openedMessage(page: Page): Locator {
  return page.getByRole("log", { name: "Messages" }).locator('[data-testid="message"][aria-current="true"]');
}

async function inView(log: Locator, id: string): Promise<boolean> {
  return log.evaluate((el, messageId) => {
    const m = el.querySelector(`[data-testid="message"][data-message-id="${messageId}"]`);
    if (!m) return false;
    const r = m.getBoundingClientRect();
    const l = el.getBoundingClientRect();
    return r.top >= l.top - 1 && r.bottom <= l.bottom + 1;
  }, id);
}

/** Ctrl+K from wherever the focus is, then the query. */
async function search(page: Page, query: string): Promise<void> {
  await page.keyboard.press("Control+K");
  await expect
    .poll(() => searchBox(page).evaluate((el) => el === document.activeElement), { timeout: UI_TIMEOUT_MS })
    .toBe(true);
  await searchBox(page).fill(query);
}

async function expectOpenedAtNeedle(page: Page): Promise<void> {
  await waitForConversation(page, DEMO_NAMES.bob);
  const opened = openedMessage(page);
  await opened.waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await opened.getAttribute("data-message-id")).toBe(NEEDLE_ID);
  expect(await opened.textContent()).toContain(NEEDLE_WORD);
  const log = page.getByRole("log", { name: "Messages" });
  await expect.poll(() => inView(log, NEEDLE_ID), { timeout: UI_TIMEOUT_MS }).toBe(true);
}

describe("searching for a message far back", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
  });
  afterAll(async () => {
    await alice?.context.setOffline(false);
  });

  it("finds it online, once, under Bob, with the matching word marked", async () => {
    const { page } = alice;
    await search(page, NEEDLE_WORD);
    const hits = hitsUnder(page, DEMO_NAMES.bob);
    await hits.first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByTestId("search-hit").count()).toBe(1);
    expect(await hits.first().getAttribute("data-message-id")).toBe(NEEDLE_ID);
    expect(await hits.first().locator("mark").allTextContents()).toEqual([NEEDLE_WORD]);
    expect(await hits.first().textContent()).toContain("Remember the quokka on Rottnest");
    expect(await page.getByTestId("search-status").getAttribute("data-source")).toBe("server");
  });

  it("opens the conversation at it, highlighted, and scrolling down loads the newer messages", async () => {
    const { page } = alice;
    // The keyboard way in: ↓ from the box to the result, Enter opens it.
    await searchBox(page).focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expectOpenedAtNeedle(page);
    expect(new URL(page.url()).searchParams.get("m")).toBe(NEEDLE_ID);

    const log = page.getByRole("log", { name: "Messages" });
    const lastLoaded = async () => (await log.getByTestId("message").last().getAttribute("data-message-id")) ?? "";
    const before = await lastLoaded();
    // Seed ids grow with time: a larger one at the bottom is a newer page that came in below.
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => {
            el.scrollTop = el.scrollHeight;
          });
          return (await lastLoaded()) > before;
        },
        { timeout: UI_TIMEOUT_MS, interval: 500, message: `messages newer than ${before} load below` },
      )
      .toBe(true);
  });

  it("goes back to the live end with Jump to newest", async () => {
    const { page } = alice;
    await page.getByRole("button", { name: "Jump to newest" }).click();
    const log = page.getByRole("log", { name: "Messages" });
    await expect.poll(() => inView(log, NEWEST_ID), { timeout: UI_TIMEOUT_MS }).toBe(true);
    expect(await openedMessage(page).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("m")).toBeNull();
  });

  it("offline, searches this device, says so, finds it and opens it there", async () => {
    const { page, context } = alice;
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.reload();
    await waitForShell(page);

    await search(page, NEEDLE_WORD);
    const status = page.getByTestId("search-status");
    await expect
      .poll(() => status.textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe("Showing results on this device — offline");
    const hits = hitsUnder(page, DEMO_NAMES.bob);
    await hits.first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await hits.first().getAttribute("data-message-id")).toBe(NEEDLE_ID);
    expect(await hits.first().locator("mark").allTextContents()).toEqual([NEEDLE_WORD]);

    await hits.first().getByRole("link").click();
    await expectOpenedAtNeedle(page);
  });

  it("Escape clears the search and brings the conversation list back", async () => {
    const { page } = alice;
    await searchBox(page).focus();
    await page.keyboard.press("Escape");
    expect(await searchBox(page).inputValue()).toBe("");
    await page.getByTestId("conversation-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByTestId("search-hit").count()).toBe(0);
  });
});
