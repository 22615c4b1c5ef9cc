/**
 * Alice makes a group with Bob and Carol in the UI; the three chat live in three browser
 * contexts with "… are typing"; Alice removes Carol, whose copy turns read-only while Alice
 * and Bob keep chatting.
 */
import type { Page } from "playwright-core";
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

const typingText = async (page: Page) => ((await page.getByTestId("typing-indicator").textContent()) ?? "").trim();

describe("a group conversation", () => {
  const h = useHarness();
  const groupName = uniqueText("Trip planning");
  let alice: SignedIn;
  let bob: SignedIn;
  let carol: SignedIn;

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([
      signedInContext(h.browser, h.baseURL, "alice"),
      signedInContext(h.browser, h.baseURL, "bob"),
      signedInContext(h.browser, h.baseURL, "carol"),
    ]);
  });

  it("is created from People with a name and two people, after saying what is missing, and opens", async () => {
    await goToSection(alice.page, "People");
    await alice.page.getByRole("button", { name: "New group" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "New group" });
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dialog.getByText("Give the group a name.").waitFor({ timeout: UI_TIMEOUT_MS });

    await dialog.getByLabel("Group name").fill(groupName);
    await dialog.getByRole("searchbox", { name: "Search people to add" }).fill("bob");
    await dialog.getByRole("checkbox", { name: new RegExp(DEMO_NAMES.bob) }).check();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dialog.getByText("Choose at least 2 people.").waitFor({ timeout: UI_TIMEOUT_MS });

    await dialog.getByRole("searchbox", { name: "Search people to add" }).fill("carol");
    await dialog.getByRole("checkbox", { name: new RegExp(DEMO_NAMES.carol) }).check();
    await expect.poll(() => dialog.getByTestId("picker-chosen").textContent()).toContain("2 chosen");
    await dialog.getByText("New members can see earlier messages.").waitFor();
    await dialog.getByRole("button", { name: "Create group" }).click();

    await waitForConversation(alice.page, groupName);
    await alice.page
      .getByTestId("system-line")
      .filter({ hasText: `created the group` })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alice.page.getByRole("dialog").count()).toBe(0);
  });

  it("reaches the other members' lists live and opens there with the group's name", async () => {
    for (const member of [bob, carol]) {
      await goToSection(member.page, "All conversations");
      await conversationItem(member.page, groupName).getByRole("link").click();
      await waitForConversation(member.page, groupName);
    }
    await expect
      .poll(async () => alice.page.getByTestId("peer-status").textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe("3 of 3 online");
  });

  it("shows who is typing, one or two names, and each message live with its author's name", async () => {
    await bob.page.getByRole("textbox", { name: "Message" }).pressSequentially("who brings the");
    await expect.poll(() => typingText(alice.page), { timeout: UI_TIMEOUT_MS }).toBe("Bob is typing…");
    await carol.page.getByRole("textbox", { name: "Message" }).pressSequentially("I can bring");
    await bob.page.getByRole("textbox", { name: "Message" }).pressSequentially(" rope");
    await expect.poll(() => typingText(alice.page), { timeout: UI_TIMEOUT_MS }).toBe("Bob and Carol are typing…");

    await bob.page.getByRole("button", { name: "Send", exact: true }).click();
    await messagesWith(alice.page, "who brings the rope").waitFor({ timeout: UI_TIMEOUT_MS });
    const fromCarol = uniqueText("I can bring the stove");
    await carol.page.getByRole("textbox", { name: "Message" }).fill(fromCarol);
    await carol.page.getByRole("button", { name: "Send", exact: true }).click();
    const fromAlice = uniqueText("perfect, see you saturday");
    await messagesWith(alice.page, fromCarol).waitFor({ timeout: UI_TIMEOUT_MS });
    await sendMessage(alice.page, fromAlice);
    for (const page of [bob.page, carol.page]) await messagesWith(page, fromAlice).waitFor({ timeout: UI_TIMEOUT_MS });

    // Every later message arrived after the earlier ones: a duplicate would be on screen by now.
    for (const page of [alice.page, bob.page, carol.page])
      for (const text of ["who brings the rope", fromCarol, fromAlice])
        expect(await messagesWith(page, text).count()).toBe(1);
    expect(await messagesWith(alice.page, "who brings the rope").getByTestId("message-author").textContent()).toBe(
      `${DEMO_NAMES.bob}:`,
    );
    await expect.poll(() => typingText(alice.page), { timeout: UI_TIMEOUT_MS }).toBe("");
  });

  it("leaves a member the owner removed with a read-only copy while the others keep chatting", async () => {
    await alice.page.getByRole("button", { name: "Group info" }).click();
    const info = alice.page.getByRole("dialog", { name: "Group info" });
    await info.getByTestId("member").filter({ hasText: DEMO_NAMES.alice }).getByText("Owner").waitFor();
    await info.getByRole("button", { name: `Remove ${DEMO_NAMES.carol} from the group` }).click();
    await info.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => info.getByTestId("member").count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await alice.page.keyboard.press("Escape");
    await alice.page
      .getByTestId("system-line")
      .filter({ hasText: `You removed ${DEMO_NAMES.carol}` })
      .waitFor({ timeout: UI_TIMEOUT_MS });

    const readOnly = carol.page.getByTestId("read-only");
    await readOnly.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await readOnly.textContent()).toContain("You were removed from this group");
    expect(await carol.page.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    expect(await carol.page.getByTestId("sync-stopped").count(), "no 'Try again' for a final close").toBe(0);
    // What carol had stays on her screen.
    expect(await messagesWith(carol.page, "I can bring the stove").count()).toBe(1);

    const afterwards = uniqueText("just the two of us now");
    await sendMessage(bob.page, afterwards);
    await messagesWith(alice.page, afterwards).waitFor({ timeout: UI_TIMEOUT_MS });
    const reply = uniqueText("indeed");
    await sendMessage(alice.page, reply);
    await messagesWith(bob.page, reply).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await messagesWith(carol.page, afterwards).count()).toBe(0);
    expect(await messagesWith(carol.page, reply).count()).toBe(0);

    // After a reload, still read-only, from the local copy.
    await carol.page.reload();
    await waitForConversation(carol.page, groupName);
    await readOnly.waitFor({ timeout: UI_TIMEOUT_MS });
    await messagesWith(carol.page, "who brings the rope").waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
