/**
 * The seeded "Book club": Carol owns it, Alice is an admin, Bob a member. Each sees only what
 * their role may do; Alice renames it and adds Dave; Carol makes Bob an admin; Bob leaves.
 * Every change shows live as a system line, worded with current names.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { openConversation, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

const SEEDED_GROUP = "Book club";
const RENAMED = "Readers";

const systemLine = (page: Page, text: string) =>
  page.getByTestId("system-line").filter({ hasText: text }).waitFor({ timeout: UI_TIMEOUT_MS });

async function openInfo(page: Page) {
  await page.getByRole("button", { name: "Group info" }).click();
  const info = page.getByRole("dialog", { name: "Group info" });
  await info.getByTestId("member").first().waitFor({ timeout: UI_TIMEOUT_MS });
  return info;
}

describe("running a group", () => {
  const h = useHarness();
  let carol: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    [carol, alice, bob] = await Promise.all([
      signedInContext(h.browser, h.baseURL, "carol"),
      signedInContext(h.browser, h.baseURL, "alice"),
      signedInContext(h.browser, h.baseURL, "bob"),
    ]);
    for (const { page } of [carol, alice, bob]) await openConversation(page, SEEDED_GROUP);
  });

  it("shows each member only what their role may do", async () => {
    const asBob = await openInfo(bob.page);
    await asBob.getByRole("button", { name: "Leave group" }).waitFor();
    expect(await asBob.getByRole("button", { name: "Add members" }).count()).toBe(0);
    expect(await asBob.getByLabel("Group name").count()).toBe(0);
    expect(await asBob.getByRole("button", { name: /^Remove / }).count()).toBe(0);
    await bob.page.keyboard.press("Escape");

    const asAlice = await openInfo(alice.page);
    expect(await asAlice.getByTestId("member").filter({ hasText: DEMO_NAMES.carol }).textContent()).toContain("Owner");
    expect(await asAlice.getByTestId("member").filter({ hasText: DEMO_NAMES.alice }).textContent()).toContain("Admin");
    // An admin removes members, but not the owner, and names no admins.
    await asAlice.getByRole("button", { name: `Remove ${DEMO_NAMES.bob} from the group` }).waitFor();
    expect(await asAlice.getByRole("button", { name: `Remove ${DEMO_NAMES.carol} from the group` }).count()).toBe(0);
    expect(await asAlice.getByRole("button", { name: /^Make admin/ }).count()).toBe(0);
  });

  it("lets an admin rename the group and add someone, live on every member's screen", async () => {
    const info = alice.page.getByRole("dialog", { name: "Group info" });
    await info.getByLabel("Group name").fill(RENAMED);
    await info.getByRole("button", { name: "Rename" }).click();
    await systemLine(alice.page, `You renamed the group to \u201c${RENAMED}\u201d`);
    await systemLine(carol.page, `${DEMO_NAMES.alice} renamed the group to \u201c${RENAMED}\u201d`);
    await bob.page.getByRole("heading", { name: RENAMED, exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });

    await info.getByRole("button", { name: "Add members" }).click();
    const add = alice.page.getByRole("dialog", { name: "Add members" });
    await add.getByText("New members can see earlier messages.").waitFor();
    expect(await add.getByRole("checkbox", { name: new RegExp(DEMO_NAMES.bob) }).count(), "already a member").toBe(0);
    await add.getByRole("checkbox", { name: new RegExp(DEMO_NAMES.dave) }).check();
    await add.getByRole("button", { name: "Add to group" }).click();
    await systemLine(alice.page, `You added ${DEMO_NAMES.dave}`);
    await systemLine(bob.page, `${DEMO_NAMES.alice} added ${DEMO_NAMES.dave}`);
    await alice.page.keyboard.press("Escape");
    await expect.poll(() => alice.page.getByRole("dialog").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
  });

  it("lets the owner make a member an admin, who then may add people", async () => {
    const info = await openInfo(carol.page);
    await info.getByRole("button", { name: `Make admin: ${DEMO_NAMES.bob}` }).click();
    await info.getByRole("button", { name: `Remove admin: ${DEMO_NAMES.bob}` }).waitFor({ timeout: UI_TIMEOUT_MS });
    await carol.page.keyboard.press("Escape");
    await systemLine(bob.page, `${DEMO_NAMES.carol} made you an admin`);
    const asBob = await openInfo(bob.page);
    await asBob.getByRole("button", { name: "Add members" }).waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("lets a member leave after confirming, keeping a read-only copy", async () => {
    const info = bob.page.getByRole("dialog", { name: "Group info" });
    await info.getByRole("button", { name: "Leave group" }).click();
    await info.getByRole("button", { name: "Leave", exact: true }).click();
    const readOnly = bob.page.getByTestId("read-only");
    await readOnly.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await readOnly.textContent()).toContain("You left this group");
    expect(await bob.page.getByRole("textbox", { name: "Message" }).count()).toBe(0);
    await systemLine(carol.page, `${DEMO_NAMES.bob} left`);
    // Still in bob's list, under its current name.
    await bob.page.getByTestId("conversation-item").filter({ hasText: RENAMED }).waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
