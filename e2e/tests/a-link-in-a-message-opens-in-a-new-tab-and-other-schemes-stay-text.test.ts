/**
 * Links in messages: an http(s) URL becomes a link that opens in a new tab without telling it
 * where it came from; `javascript:` and markup in the text stay text.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { apiConversationWith, apiPostMessage, apiSignIn, DEMO_NAMES, uniqueText } from "../support/api.js";
import {
  messagesWith,
  openConversation,
  type SignedIn,
  signedInContext,
  signedInUserId,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("a link in a message", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
  });

  it("renders http(s) as a safe new-tab link and leaves javascript: and markup as text", async () => {
    const bob = await apiSignIn(h.baseURL, "bob");
    const conversation = await apiConversationWith(bob, await signedInUserId(alice.page));
    const label = uniqueText("links");
    await apiPostMessage(
      bob,
      conversation.id,
      `${label}: see https://example.com/docs?a=1. Not javascript:alert(1) nor <b>bold</b> <img src=x onerror=alert(1)>`,
    );
    await openConversation(alice.page, DEMO_NAMES.bob);
    const message = messagesWith(alice.page, label);
    await message.waitFor({ timeout: UI_TIMEOUT_MS });

    const links = message.locator(".bubble p a");
    expect(await links.count()).toBe(1);
    const link = links.first();
    expect(await link.getAttribute("href")).toBe("https://example.com/docs?a=1");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.textContent()).toBe("https://example.com/docs?a=1");
    // The rest is text: the markup shows as typed, and no element came from it.
    const text = (await message.locator(".bubble p").textContent()) ?? "";
    expect(text).toContain("Not javascript:alert(1) nor <b>bold</b> <img src=x onerror=alert(1)>");
    expect(await message.locator("b, img, script").count()).toBe(0);
  });
});
