import { beforeAll, describe, expect, it } from "vitest";
import { type ApiSession, apiConversations, apiMessages, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import { openConversation, type SignedIn, signedInContext, signedInUserId, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

const LIMIT = 4000;

describe("the composer's length limit", () => {
  const h = useHarness();
  let alice: SignedIn;
  let daveApi: ApiSession;
  let conversationId: string;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    daveApi = await apiSignIn(h.baseURL, "dave");
    const aliceId = await signedInUserId(alice.page);
    conversationId =
      (await apiConversations(daveApi)).find((c) => c.kind === "direct" && c.memberIds.includes(aliceId))?.id ?? "";
    await openConversation(alice.page, DEMO_NAMES.dave);
  });

  /** A text of exactly `length` characters that no seeded message contains. */
  const textOf = (length: number) => {
    const head = `${uniqueText("long")} `;
    return head + "x".repeat(length - head.length);
  };

  it("counts down near the limit, refuses to send over it with a sentence, and never cuts the text", async () => {
    const { page } = alice;
    const box = page.getByRole("textbox", { name: "Message" });
    const counter = page.getByTestId("composer-count");

    await box.fill("short");
    expect(await counter.count()).toBe(0);

    await box.fill(textOf(LIMIT - 10));
    await expect.poll(() => counter.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("10 left");

    // Pasted (fill) and then typed past the limit: every character stays.
    const tooLong = textOf(LIMIT + 95);
    await box.fill(tooLong);
    await box.press("End");
    await page.keyboard.type("abcde");
    expect(await box.inputValue()).toBe(`${tooLong}abcde`);
    await expect.poll(() => counter.textContent()).toBe("100 over the limit");

    await page.getByRole("button", { name: "Send", exact: true }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "at most 4,000 characters" });
    await refusal.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await refusal.textContent()).toContain("Shorten this one by 100");
    expect(await box.inputValue()).toBe(`${tooLong}abcde`);
    expect(
      await page
        .getByTestId("message")
        .filter({ hasText: tooLong.slice(0, 20) })
        .count(),
    ).toBe(0);

    // Exactly at the limit it is sent whole.
    const atLimit = textOf(LIMIT);
    await box.fill(atLimit);
    expect(await refusal.count()).toBe(0);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect.poll(() => box.inputValue()).toBe("");
    const sent = async () => (await apiMessages(daveApi, conversationId, 5)).find((m) => m.text === atLimit);
    await expect.poll(sent, { timeout: UI_TIMEOUT_MS }).toBeDefined();
  });
});
