/**
 * Keys: Alt+↓ / Alt+↑ open the next / previous conversation in the list's order from anywhere,
 * but not from a composer holding text (its caret and its text stay); Escape closes a dialog and
 * the delete confirmation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { goToSection, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("keys", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await goToSection(alice.page, "All conversations");
  });

  const heading = () => alice.page.locator("#conv-title").textContent();
  const rowNames = () => alice.page.getByTestId("conversation-item").locator(".row-name").allTextContents();

  it("moves to the next and previous conversation in the list's order", async () => {
    const page = alice.page;
    await page.getByTestId("conversation-item").nth(2).waitFor({ timeout: UI_TIMEOUT_MS });
    const names = (await rowNames()).map((n) => n.replace(/, group$/, ""));
    await page.locator("body").click();
    await page.keyboard.press("Alt+ArrowDown");
    await expect.poll(heading, { timeout: UI_TIMEOUT_MS }).toBe(names[0]);
    await page.keyboard.press("Alt+ArrowDown");
    await expect.poll(heading, { timeout: UI_TIMEOUT_MS }).toBe(names[1]);

    // From the composer: empty, the key moves; holding text, it is the caret's and the text stays.
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.focus();
    await page.keyboard.press("Alt+ArrowDown");
    await expect.poll(heading, { timeout: UI_TIMEOUT_MS }).toBe(names[2]);
    await composer.fill("first line\nsecond line");
    await page.keyboard.press("Alt+ArrowUp");
    await page.keyboard.type("!");
    expect(await heading()).toBe(names[2]);
    expect(await composer.inputValue()).toContain("line");
    await composer.fill("");
    await page.keyboard.press("Alt+ArrowUp");
    await expect.poll(heading, { timeout: UI_TIMEOUT_MS }).toBe(names[1]);
  });

  it("closes a dialog and the delete confirmation with Escape", async () => {
    const page = alice.page;
    await goToSection(page, "All conversations");
    await page.getByRole("button", { name: "New group" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });

    await page.getByTestId("conversation-item").first().getByRole("link").click();
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("to be deleted");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const mine = page.getByTestId("message").filter({ hasText: "to be deleted" });
    await mine.hover();
    await mine.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByText("Delete this message for everyone?");
    await confirm.waitFor({ timeout: UI_TIMEOUT_MS });
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    expect(await mine.count()).toBe(1);
  });
});
