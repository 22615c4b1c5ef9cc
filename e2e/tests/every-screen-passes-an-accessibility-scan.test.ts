/**
 * axe-core on every screen at desktop and phone sizes, and the screenshots in
 * docs/screenshots/ (taken here because this file already visits every screen).
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { conversationItem, goToSection, signIn, UI_TIMEOUT_MS, waitForConversation } from "../support/app.js";
import { seriousViolations } from "../support/axe.js";
import { newContext, screenshot, type Viewport } from "../support/browser.js";
import { useHarness } from "../support/harness.js";

async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  const violations = await seriousViolations(page);
  const report = violations
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `      at ${n}`).join("\n")}`)
    .join("\n");
  expect(violations, `${screen}: ${violations.length} serious or critical violation(s)\n${report}`).toEqual([]);
}

/** The demo group active today, with a system line (seeds/src/demo-data.ts). */
const SEEDED_GROUP = "Weekend climb";

/** Screens in the order a user meets them; each readies the page and says whether to screenshot it. */
const SCREENS: Array<{ name: string; shot?: string; open: (page: Page) => Promise<void> }> = [
  {
    name: "sign-in",
    shot: "sign-in",
    open: async (page) => {
      await page.goto("/");
      await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "sign-up",
    open: async (page) => {
      await page.getByRole("button", { name: "Create an account" }).click();
      await page.getByRole("heading", { name: "Create account" }).waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "active list",
    shot: "active",
    open: async (page) => {
      await signIn(page, "alice");
      await goToSection(page, "Active");
      await page.getByTestId("conversation-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "all conversations",
    open: async (page) => {
      await goToSection(page, "All conversations");
      await page.getByTestId("conversation-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "people",
    shot: "people",
    open: async (page) => {
      await goToSection(page, "People");
      await page.getByTestId("user-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "conversation",
    shot: "conversation",
    open: async (page) => {
      await goToSection(page, "Active");
      await conversationItem(page, DEMO_NAMES.bob).getByRole("link").click();
      await waitForConversation(page, DEMO_NAMES.bob);
      await page.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "search results",
    shot: "search",
    open: async (page) => {
      await page.keyboard.press("Control+K");
      await page.getByRole("searchbox", { name: "Search conversations and messages" }).fill("coffee");
      await page.getByTestId("search-hit").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "conversation opened at a search result",
    open: async (page) => {
      await page.getByTestId("search-hit").nth(3).getByRole("link").click();
      await page.locator('[data-testid="message"][aria-current="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "group conversation",
    shot: "group",
    open: async (page) => {
      await page.goto("/");
      await conversationItem(page, SEEDED_GROUP).getByRole("link").click();
      await waitForConversation(page, SEEDED_GROUP);
      await page.getByTestId("system-line").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
  {
    name: "group info dialog",
    open: async (page) => {
      await page.getByRole("button", { name: "Group info" }).click();
      await page.getByRole("dialog", { name: "Group info" }).getByTestId("member").first().waitFor();
    },
  },
  {
    name: "add members dialog",
    open: async (page) => {
      const dialog = page.getByRole("dialog", { name: "Group info" });
      await dialog.getByRole("button", { name: "Add members" }).click();
      await page.getByRole("dialog", { name: "Add members" }).getByTestId("picker-person").first().waitFor();
    },
  },
  {
    name: "new group dialog with what is missing",
    shot: "new-group",
    open: async (page) => {
      await page.goto("/people");
      await page.getByRole("button", { name: "New group" }).click();
      const dialog = page.getByRole("dialog", { name: "New group" });
      await dialog.getByRole("button", { name: "Create group" }).click();
      await dialog.getByText("Give the group a name.").waitFor({ timeout: UI_TIMEOUT_MS });
      await dialog.getByRole("checkbox").first().check();
    },
  },
  {
    name: "settings",
    shot: "settings",
    open: async (page) => {
      await page.goto("/settings");
      await page.getByRole("heading", { name: "Settings", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByTestId("session-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
    },
  },
];

describe("accessibility", () => {
  const h = useHarness();

  it("reports a violation when a page has one (the scan is really running)", async () => {
    const context = await newContext(h.browser, h.baseURL);
    try {
      const page = await context.newPage();
      await page.goto("/");
      await page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.evaluate(() => document.querySelector("main")?.append(document.createElement("button")));
      expect((await seriousViolations(page)).map((v) => v.id)).toContain("button-name");
    } finally {
      await context.close();
    }
  });

  for (const viewport of ["desktop", "phone"] satisfies Viewport[]) {
    describe(`at ${viewport} size`, () => {
      let context: BrowserContext;
      let page: Page;

      beforeAll(async () => {
        context = await newContext(h.browser, h.baseURL, viewport);
        page = await context.newPage();
      });
      afterAll(async () => {
        await context?.close();
      });

      for (const screen of SCREENS) {
        it(`the ${screen.name} screen has no serious or critical violations`, async () => {
          await screen.open(page);
          if (screen.shot) await screenshot(page, `${viewport}-${screen.shot}`);
          await expectNoSeriousViolations(page, `${viewport} ${screen.name}`);
        });
      }
    });
  }
});
