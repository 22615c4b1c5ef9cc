import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import {
  conversationItem,
  goToSection,
  type SignedIn,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: UI_TIMEOUT_MS });
}

describe("a conversation that was never opened on this device", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await waitForServiceWorker(alice.page);
  });

  it("opened offline, says it cannot load yet instead of inviting a first message, and loads once online", async () => {
    const { context, page } = alice;
    await goToSection(page, "All conversations");
    const frank = conversationItem(page, DEMO_NAMES.frank);
    await frank.waitFor({ timeout: UI_TIMEOUT_MS });

    await context.setOffline(true);
    await frank.getByRole("link").click();
    await waitForConversation(page, DEMO_NAMES.frank);
    const state = page.getByTestId("timeline-state");
    await expect.poll(() => state.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("unavailable");
    expect(await state.textContent()).toContain("offline");
    expect(await page.getByText(/Say hello/).count()).toBe(0);
    expect(await page.getByTestId("message").count()).toBe(0);

    await context.setOffline(false);
    await expect.poll(() => state.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("messages");
    expect(await page.getByTestId("message").count()).toBeGreaterThan(0);
    expect(await page.getByText(/Say hello/).count()).toBe(0);
  });
});
