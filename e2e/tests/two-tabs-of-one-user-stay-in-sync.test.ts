import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openApp,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("two tabs of one user", () => {
  const h = useHarness();
  let alice: SignedIn;
  let tab1: Page;
  let tab2: Page;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    tab1 = alice.page;
    tab2 = await alice.context.newPage();
    await openApp(tab2);
    await openConversation(tab1, DEMO_NAMES.carol);
    await openConversation(tab2, DEMO_NAMES.carol);
  });

  it("shows a message sent in one tab in the other, once, both ways", async () => {
    const fromTab1 = uniqueText("typed in tab one");
    await sendMessage(tab1, fromTab1);
    await messagesWith(tab2, fromTab1).waitFor({ timeout: UI_TIMEOUT_MS });

    const fromTab2 = uniqueText("typed in tab two");
    await sendMessage(tab2, fromTab2);
    await messagesWith(tab1, fromTab2).waitFor({ timeout: UI_TIMEOUT_MS });

    for (const tab of [tab1, tab2]) {
      for (const text of [fromTab1, fromTab2]) {
        expect(await messagesWith(tab, text).count()).toBe(1);
        expect(await messagesWith(tab, text).getAttribute("data-mine")).toBe("true");
      }
    }
  });

  it("updates the conversation preview in the other tab's list", async () => {
    const text = uniqueText("preview check");
    await sendMessage(tab1, text);
    const item = tab2.getByTestId("conversation-item").filter({ hasText: DEMO_NAMES.carol });
    await expect.poll(async () => (await item.textContent()) ?? "", { timeout: UI_TIMEOUT_MS }).toContain(text);
  });
});
