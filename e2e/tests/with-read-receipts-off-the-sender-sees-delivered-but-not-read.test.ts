import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  goToSection,
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

/** The read mark of `userId` in a conversation, as the server shows it to the page's user. */
async function readMarkOf(page: Page, conversationId: string, userId: string): Promise<string | null> {
  return page.evaluate(
    async ([id, user]) => {
      const res = await fetch(`/api/conversations/${id}`);
      const body = (await res.json()) as {
        conversation: { receipts: { userId: string; read: { id: string } | null }[] };
      };
      return body.conversation.receipts.find((r) => r.userId === user)?.read?.id ?? null;
    },
    [conversationId, userId] as const,
  );
}

const conversationIdOf = (page: Page) => new URL(page.url()).pathname.split("/").pop() ?? "";
const receipt = (message: Locator) => message.getByTestId("receipt");

describe("the read receipts setting", () => {
  const h = useHarness();
  let alice: SignedIn;
  let grace: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    grace = await signedInContext(h.browser, h.baseURL, "grace");
  });

  it("turned off, hides grace's reading from alice, and alice's from grace", async () => {
    await goToSection(grace.page, "Settings");
    const toggle = grace.page.getByRole("switch", { name: "Read receipts" });
    await expect.poll(() => toggle.isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.isChecked(), { timeout: UI_TIMEOUT_MS }).toBe(false);
    expect(await grace.page.getByText("you won't see theirs").count()).toBe(1);

    await openConversation(alice.page, DEMO_NAMES.grace);
    const question = uniqueText("did you read this, grace?");
    await sendMessage(alice.page, question);

    // Grace reads it and answers: her marks pass the question, but alice sees it only delivered.
    await openConversation(grace.page, DEMO_NAMES.alice);
    await messagesWith(grace.page, question).waitFor({ timeout: UI_TIMEOUT_MS });
    const answer = uniqueText("I did");
    await sendMessage(grace.page, answer);
    await messagesWith(alice.page, answer).waitFor({ timeout: UI_TIMEOUT_MS });
    const asked = messagesWith(alice.page, question);
    await expect.poll(() => receipt(asked).getAttribute("data-receipt"), { timeout: UI_TIMEOUT_MS }).toBe("delivered");

    // Alice (receipts on) reads the answer, and the server shows her mark to grace: grace does not see it.
    const answerId = (await messagesWith(grace.page, answer).getAttribute("data-message-id")) ?? "";
    const aliceId = await alice.page.evaluate(async () => {
      const body = (await (await fetch("/api/auth/get-session")).json()) as { user: { id: string } };
      return body.user.id;
    });
    const conversationId = conversationIdOf(grace.page);
    await expect.poll(() => readMarkOf(grace.page, conversationId, aliceId), { timeout: UI_TIMEOUT_MS }).toBe(answerId);
    const answered = messagesWith(grace.page, answer);
    await expect
      .poll(() => receipt(answered).getAttribute("data-receipt"), { timeout: UI_TIMEOUT_MS })
      .toBe("delivered");
    expect(await receipt(answered).textContent()).toContain("Delivered");
    expect(await receipt(asked).textContent()).toContain("Delivered");
  });
});
