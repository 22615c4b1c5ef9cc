import { beforeAll, describe, expect, it } from "vitest";
import { apiConversationWith, apiPostMessage, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  conversationItem,
  goToSection,
  type SignedIn,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("the Active list", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await goToSection(alice.page, "Active");
  });

  it("moves a conversation into Active, at the top, when a message arrives in it", async () => {
    const items = alice.page.getByTestId("conversation-item");
    await items.first().waitFor({ timeout: UI_TIMEOUT_MS });
    // alice–erin's last message is three days old (seeds/src/demo-data.ts).
    expect(await conversationItem(alice.page, DEMO_NAMES.erin).count()).toBe(0);

    const erin = await apiSignIn(h.baseURL, "erin");
    const conversation = await apiConversationWith(erin, await signedInUserId(alice.page));
    const text = uniqueText("erin says hi");
    await apiPostMessage(erin, conversation.id, text);

    const erinItem = conversationItem(alice.page, DEMO_NAMES.erin);
    await erinItem.waitFor({ timeout: UI_TIMEOUT_MS });
    await expect
      .poll(() => items.first().getAttribute("data-conversation-id"), { timeout: UI_TIMEOUT_MS })
      .toBe(conversation.id);
    await expect.poll(async () => (await erinItem.textContent()) ?? "", { timeout: UI_TIMEOUT_MS }).toContain(text);
  });

  it("marks that conversation unread, counts it in the tab title, and clears both once it is opened", async () => {
    const page = alice.page;
    const erinItem = conversationItem(page, DEMO_NAMES.erin);
    await expect.poll(() => erinItem.getAttribute("data-unread"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT_MS }).toBe("(1) Messenger");

    await erinItem.getByRole("link").click();
    await page.getByRole("heading", { name: DEMO_NAMES.erin, exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => erinItem.getAttribute("data-unread"), { timeout: UI_TIMEOUT_MS }).toBe("false");
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT_MS }).toBe(`${DEMO_NAMES.erin} · Messenger`);
  });
});
