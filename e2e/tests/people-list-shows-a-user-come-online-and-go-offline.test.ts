import type { Locator } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import { goToSection, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

describe("presence in the People list", () => {
  const h = useHarness();
  let alice: SignedIn;
  let bobItem: Locator;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    await goToSection(alice.page, "People");
    bobItem = alice.page.getByTestId("user-item").filter({ hasText: DEMO_NAMES.bob });
    await bobItem.waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("shows bob offline before he signs in", async () => {
    expect(await bobItem.getAttribute("data-online")).toBe("false");
    expect(await bobItem.textContent()).not.toContain("Online");
  });

  it("shows bob online while his browser is signed in, then offline with when he was last seen", async () => {
    const bob = await signedInContext(h.browser, h.baseURL, "bob");
    await expect.poll(() => bobItem.getAttribute("data-online"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    expect(await bobItem.textContent()).toContain("Online");

    await bob.context.close();
    await expect.poll(() => bobItem.getAttribute("data-online"), { timeout: UI_TIMEOUT_MS }).toBe("false");
    await expect
      .poll(async () => (await bobItem.textContent()) ?? "", { timeout: UI_TIMEOUT_MS })
      .toContain("Last seen");
  });
});
