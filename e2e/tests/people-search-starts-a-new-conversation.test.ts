import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  conversationItem,
  goToSection,
  messagesWith,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
  waitForConversation,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("finding someone in People", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
  });

  it("narrows the list to the people matching the search", async () => {
    await goToSection(alice.page, "People");
    const items = alice.page.getByTestId("user-item");
    await items.first().waitFor({ timeout: UI_TIMEOUT_MS });
    await alice.page.getByLabel("Search people", { exact: true }).fill("hei");
    await expect.poll(() => items.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await items.first().textContent()).toContain(DEMO_NAMES.heidi);
  });

  it("opens a new conversation with the person chosen, and it joins the list once written to", async () => {
    // alice has no conversation with heidi in the seed (seeds/src/demo-data.ts).
    await alice.page.getByTestId("user-item").filter({ hasText: DEMO_NAMES.heidi }).getByRole("button").click();
    await waitForConversation(alice.page, DEMO_NAMES.heidi);
    expect(await alice.page.getByTestId("message").count()).toBe(0);

    const text = uniqueText("hi heidi");
    await sendMessage(alice.page, text);
    await messagesWith(alice.page, text).waitFor({ timeout: UI_TIMEOUT_MS });
    await goToSection(alice.page, "All conversations");
    const item = conversationItem(alice.page, DEMO_NAMES.heidi);
    await expect.poll(async () => (await item.textContent()) ?? "", { timeout: UI_TIMEOUT_MS }).toContain(text);
  });
});
