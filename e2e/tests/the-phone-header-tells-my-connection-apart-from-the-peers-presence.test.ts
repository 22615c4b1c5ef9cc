import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { openConversation, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("the phone's conversation header", () => {
  const h = useHarness();
  let alice: SignedIn;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice", "phone");
    await openConversation(alice.page, DEMO_NAMES.dave);
  });

  it("words my connection apart from the peer's presence, and claims no presence while I am offline", async () => {
    const { context, page } = alice;
    const mine = page.getByTestId("connection-status");
    const peer = page.getByTestId("peer-status");
    await expect.poll(() => mine.getAttribute("data-state"), { timeout: UI_TIMEOUT_MS }).toBe("online");
    expect(await mine.textContent()).toBe("Connected");
    await expect.poll(() => peer.textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^(Online|Last seen|Never seen)/);

    await context.setOffline(true);
    await expect.poll(() => mine.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("You're offline");
    expect(await peer.textContent()).toBe("");
    await context.setOffline(false);
    await expect.poll(() => mine.textContent(), { timeout: UI_TIMEOUT_MS }).toBe("Connected");
  });
});
