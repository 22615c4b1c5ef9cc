import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import {
  conversationItem,
  type SignedIn,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("on a phone", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice", "phone");
  });

  it("uses a 390×844 touch viewport", async () => {
    expect(alice.page.viewportSize()).toEqual({ width: 390, height: 844 });
    expect(
      await alice.page.evaluate(() => navigator.maxTouchPoints > 0 && matchMedia("(pointer: coarse)").matches),
    ).toBe(true);
  });

  it("walks from the Active list into a conversation and Back to the list", async () => {
    const { page } = alice;
    const item = conversationItem(page, DEMO_NAMES.bob);
    await item.waitFor({ timeout: UI_TIMEOUT_MS });
    await item.getByRole("link").tap();
    await waitForConversation(page, DEMO_NAMES.bob);
    await page.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });
    // The conversation takes the whole screen: the list is not showing beside it.
    expect(await item.isVisible()).toBe(false);
    expect(await page.getByRole("textbox", { name: "Message" }).isVisible()).toBe(true);

    await page.getByRole("button", { name: "Back" }).tap();
    await item.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByRole("heading", { name: "Active", exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { name: DEMO_NAMES.bob, exact: true }).isVisible()).toBe(false);
  });

  it("returns to the list with the browser's back gesture too", async () => {
    const { page } = alice;
    await conversationItem(page, DEMO_NAMES.dave).getByRole("link").tap();
    await waitForConversation(page, DEMO_NAMES.dave);
    await page.goBack();
    await conversationItem(page, DEMO_NAMES.dave).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByRole("heading", { name: DEMO_NAMES.dave, exact: true }).isVisible()).toBe(false);
  });
});
