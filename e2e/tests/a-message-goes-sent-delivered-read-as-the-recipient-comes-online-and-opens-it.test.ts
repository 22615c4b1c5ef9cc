import type { Locator } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  conversationItem,
  goToSection,
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("receipts on a direct message", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await openConversation(alice.page, DEMO_NAMES.frank);
  });

  const receipt = (message: Locator) => message.getByTestId("receipt");

  it("shows one tick while frank has no device on, two once his device has it, and read once he opens it", async () => {
    const text = uniqueText("are you around, frank?");
    await sendMessage(alice.page, text);
    const mine = messagesWith(alice.page, text);
    await expect.poll(() => receipt(mine).getAttribute("data-receipt"), { timeout: UI_TIMEOUT_MS }).toBe("sent");
    expect(await receipt(mine).textContent()).toContain("Sent");

    // Frank comes online on his list, without opening the conversation: delivered, not read.
    const frank = await signedInContext(h.browser, h.baseURL, "frank");
    await goToSection(frank.page, "All conversations");
    await expect
      .poll(() => conversationItem(frank.page, DEMO_NAMES.alice).getAttribute("data-unread"), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe("true");
    await expect.poll(() => receipt(mine).getAttribute("data-receipt"), { timeout: UI_TIMEOUT_MS }).toBe("delivered");
    expect(await receipt(mine).textContent()).toContain("Delivered");

    await conversationItem(frank.page, DEMO_NAMES.alice).getByRole("link").click();
    await waitForConversation(frank.page, DEMO_NAMES.alice);
    await messagesWith(frank.page, text).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => receipt(mine).getAttribute("data-receipt"), { timeout: UI_TIMEOUT_MS }).toBe("read");
    expect(await receipt(mine).textContent()).toContain(`Read by ${DEMO_NAMES.frank}`);
  });
});
