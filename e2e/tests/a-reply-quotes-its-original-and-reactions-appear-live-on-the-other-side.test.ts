import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiConversationWith, apiPostMessage, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

/** The message whose own text (not a quote of it) contains `text`. */
const written = (page: Page, text: string): Locator =>
  page.getByTestId("message").filter({ has: page.locator(".bubble > p", { hasText: text }) });

describe("replies and reactions between two people", () => {
  const h = useHarness();
  let alice: SignedIn;
  let dave: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    dave = await signedInContext(h.browser, h.baseURL, "dave");
    await openConversation(alice.page, DEMO_NAMES.dave);
    await openConversation(dave.page, DEMO_NAMES.alice);
  });

  it("sends a reply that quotes the original on both sides, and tapping the quote shows the original", async () => {
    const question = uniqueText("lunch at noon?");
    await sendMessage(alice.page, question);
    const original = messagesWith(dave.page, question);
    await original.waitFor({ timeout: UI_TIMEOUT_MS });
    await original.hover();
    await original.getByRole("button", { name: "Reply", exact: true }).click();
    await expect.poll(() => dave.page.getByTestId("replying-bar").textContent()).toContain(question);
    const answer = uniqueText("yes, see you there");
    await sendMessage(dave.page, answer);
    await expect.poll(() => dave.page.getByTestId("replying-bar").count()).toBe(0);

    const reply = messagesWith(alice.page, answer);
    await reply.waitFor({ timeout: UI_TIMEOUT_MS });
    const quote = reply.getByTestId("reply-quote");
    expect(await quote.textContent()).toContain(question);
    expect(await quote.textContent()).toContain(DEMO_NAMES.alice);
    const originalId = await written(alice.page, question).getAttribute("data-message-id");
    expect(await quote.getAttribute("data-reply-to")).toBe(originalId);
    await quote.click();
    await expect
      .poll(() => written(alice.page, question).getAttribute("aria-current"), { timeout: UI_TIMEOUT_MS })
      .toBe("true");
  });

  it("says so in the quote when the original is deleted", async () => {
    const doomed = uniqueText("never mind this");
    await sendMessage(alice.page, doomed);
    const original = messagesWith(dave.page, doomed);
    await original.waitFor({ timeout: UI_TIMEOUT_MS });
    await original.hover();
    await original.getByRole("button", { name: "Reply", exact: true }).click();
    const answer = uniqueText("what did you mean");
    await sendMessage(dave.page, answer);
    await messagesWith(alice.page, answer).waitFor({ timeout: UI_TIMEOUT_MS });

    const mine = written(alice.page, doomed);
    await mine.hover();
    await mine.getByRole("button", { name: "Delete", exact: true }).click();
    await alice.page.getByRole("button", { name: "Delete for everyone", exact: true }).click();
    await expect
      .poll(() => messagesWith(dave.page, answer).getByTestId("reply-quote").textContent(), { timeout: UI_TIMEOUT_MS })
      .toContain("The original message was deleted");
    expect(await messagesWith(dave.page, answer).getByTestId("reply-quote").textContent()).not.toContain(doomed);
  });

  it("shows a reaction on the other side live, with who reacted, and takes it away when toggled off", async () => {
    const news = uniqueText("I got the job");
    await sendMessage(alice.page, news);
    const onDave = messagesWith(dave.page, news);
    await onDave.waitFor({ timeout: UI_TIMEOUT_MS });
    await onDave.hover();
    await onDave.getByRole("button", { name: "React", exact: true }).click();
    await onDave.getByRole("button", { name: "React with ❤️" }).click();

    const chip = messagesWith(alice.page, news).getByTestId("reaction");
    await chip.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await chip.getAttribute("data-emoji")).toBe("❤️");
    expect(await chip.getAttribute("aria-label")).toBe(`❤️ 1: ${DEMO_NAMES.dave}`);
    expect(await chip.getAttribute("aria-pressed")).toBe("false");

    // alice adds the same emoji: one chip, two people, hers marked.
    await chip.click();
    await expect
      .poll(() => messagesWith(dave.page, news).getByTestId("reaction").getAttribute("aria-label"), {
        timeout: UI_TIMEOUT_MS,
      })
      .toMatch(/^❤️ 2: /);
    expect(await chip.getAttribute("aria-pressed")).toBe("true");

    // dave takes his back: alice sees only hers.
    await messagesWith(dave.page, news).getByTestId("reaction").click();
    await expect.poll(() => chip.getAttribute("aria-label"), { timeout: UI_TIMEOUT_MS }).toBe("❤️ 1: you");
  });

  it("quotes an original 2,500 messages back that the screen never loaded, and tapping it opens the history there", async () => {
    // The seeded needle in alice–bob (seeds/README.md): in segment 0, which a client never opens live.
    const bob = await apiSignIn(h.baseURL, "bob");
    const conversation = await apiConversationWith(bob, await signedInUserId(alice.page));
    await openConversation(alice.page, DEMO_NAMES.bob);
    const answer = uniqueText("still my favourite photo");
    await apiPostMessage(bob, conversation.id, answer, { replyTo: "seed-00499" });
    const quote = written(alice.page, answer).getByTestId("reply-quote");
    await expect.poll(() => quote.textContent(), { timeout: UI_TIMEOUT_MS }).toContain("quokka on Rottnest");
    expect(await written(alice.page, "quokka on Rottnest").count()).toBe(0);
    await quote.click();
    const original = alice.page.locator('[data-testid="message"][data-message-id="seed-00499"]');
    await expect.poll(() => original.getAttribute("aria-current"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    expect(await original.textContent()).toContain("quokka on Rottnest");
  });
});
