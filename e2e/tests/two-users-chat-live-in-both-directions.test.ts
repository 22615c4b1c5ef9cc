import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openConversation,
  type SignedIn,
  sendMessage,
  signedInContext,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("two users chatting", () => {
  const h = useHarness();
  let alice: SignedIn;
  let dave: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    dave = await signedInContext(h.browser, h.baseURL, "dave");
    await openConversation(alice.page, DEMO_NAMES.dave);
    await openConversation(dave.page, DEMO_NAMES.alice);
  });

  it("shows alice typing on dave's screen, and clears it once she sends", async () => {
    const typing = dave.page.getByTestId("typing-indicator");
    expect((await typing.textContent())?.trim()).toBe("");
    await alice.page.getByRole("textbox", { name: "Message" }).pressSequentially("are you the");
    await expect
      .poll(async () => (await typing.textContent()) ?? "", { timeout: UI_TIMEOUT_MS })
      .toContain(`${DEMO_NAMES.alice} is typing`);
    await alice.page.getByRole("textbox", { name: "Message" }).pressSequentially("re?");
    await alice.page.getByRole("button", { name: "Send", exact: true }).click();
    await messagesWith(dave.page, "are you there?").waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(async () => ((await typing.textContent()) ?? "").trim(), { timeout: UI_TIMEOUT_MS }).toBe("");
  });

  it("delivers each message live to the other side, once, in both directions", async () => {
    const fromAlice = uniqueText("hello from alice");
    await sendMessage(alice.page, fromAlice);
    await messagesWith(dave.page, fromAlice).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await messagesWith(dave.page, fromAlice).getAttribute("data-mine")).toBe("false");

    const fromDave = uniqueText("hi alice, dave here");
    await sendMessage(dave.page, fromDave);
    await messagesWith(alice.page, fromDave).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await messagesWith(alice.page, fromDave).getAttribute("data-mine")).toBe("false");

    const fromAliceAgain = uniqueText("and back to dave");
    await sendMessage(alice.page, fromAliceAgain);
    await messagesWith(dave.page, fromAliceAgain).waitFor({ timeout: UI_TIMEOUT_MS });

    // Each later message arrived after the earlier ones, so a duplicate of an earlier one would be here by now.
    for (const page of [alice.page, dave.page]) {
      for (const text of [fromAlice, fromDave, fromAliceAgain]) {
        expect(
          await messagesWith(page, text).count(),
          `"${text}" on ${page === alice.page ? "alice" : "dave"}'s screen`,
        ).toBe(1);
      }
    }
    // The sender's own copy is confirmed (not pending) once the server has it.
    await expect
      .poll(() => messagesWith(alice.page, fromAlice).getAttribute("data-pending"), { timeout: UI_TIMEOUT_MS })
      .toBe("false");
    expect(await messagesWith(alice.page, fromAlice).getAttribute("data-mine")).toBe("true");
  });
});
