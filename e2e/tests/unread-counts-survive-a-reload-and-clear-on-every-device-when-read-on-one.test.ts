import { beforeAll, describe, expect, it } from "vitest";
import { apiConversationWith, apiPostMessage, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  conversationItem,
  goToSection,
  type SignedIn,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
  waitForConversation,
  waitForServiceWorker,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("unread counts", () => {
  const h = useHarness();
  let desktop: SignedIn;
  let laptop: SignedIn;

  beforeAll(async () => {
    desktop = await signedInContext(h.browser, h.baseURL, "alice");
    laptop = await signedInContext(h.browser, h.baseURL, "alice");
    await goToSection(desktop.page, "All conversations");
    await goToSection(laptop.page, "All conversations");
  });

  const count = (s: SignedIn) => conversationItem(s.page, DEMO_NAMES.erin).getAttribute("data-unread-count");

  it("counts three messages from erin on both devices, in the list and the title, and keeps them through an offline reload", async () => {
    const erin = await apiSignIn(h.baseURL, "erin");
    const conversation = await apiConversationWith(erin, await signedInUserId(desktop.page));
    for (let i = 0; i < 3; i++) await apiPostMessage(erin, conversation.id, uniqueText(`erin ${i}`));

    for (const device of [desktop, laptop]) {
      await expect.poll(() => count(device), { timeout: UI_TIMEOUT_MS }).toBe("3");
      await expect.poll(() => device.page.title(), { timeout: UI_TIMEOUT_MS }).toBe("(3) Messenger");
    }
    const badge = conversationItem(desktop.page, DEMO_NAMES.erin).getByTestId("unread-badge");
    expect((await badge.textContent())?.trim()).toContain("3 unread");

    // Offline, the shell comes from the service worker and the counts from the local inbox.
    await waitForServiceWorker(desktop.page);
    await desktop.context.setOffline(true);
    await desktop.page.reload();
    await conversationItem(desktop.page, DEMO_NAMES.erin).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => count(desktop), { timeout: UI_TIMEOUT_MS }).toBe("3");
    expect(await desktop.page.title()).toBe("(3) Messenger");
    await desktop.context.setOffline(false);
  });

  it("clears them on the other device once they are read on one", async () => {
    await conversationItem(desktop.page, DEMO_NAMES.erin).getByRole("link").click();
    await waitForConversation(desktop.page, DEMO_NAMES.erin);
    await expect.poll(() => count(desktop), { timeout: UI_TIMEOUT_MS }).toBe("0");

    await expect.poll(() => count(laptop), { timeout: UI_TIMEOUT_MS }).toBe("0");
    expect(await conversationItem(laptop.page, DEMO_NAMES.erin).getAttribute("data-unread")).toBe("false");
    await expect.poll(() => laptop.page.title(), { timeout: UI_TIMEOUT_MS }).toBe("Messenger");

    // The server has it: a reload of the other device starts with nothing unread.
    await laptop.page.reload();
    await conversationItem(laptop.page, DEMO_NAMES.erin).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await count(laptop)).toBe("0");
  });
});
