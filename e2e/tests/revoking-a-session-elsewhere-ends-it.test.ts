import { beforeAll, describe, expect, it } from "vitest";
import { apiRevokeOtherSessions, apiSignIn } from "../support/api.js";
import { goToSection, type SignedIn, signedInContext, UI_TIMEOUT_MS } from "../support/app.js";
import { useHarness } from "../support/harness.js";

const SESSION_ENDED = "Your session has ended";

describe("revoking a session from another device", () => {
  const h = useHarness();
  let laptop: SignedIn;
  let phone: SignedIn;

  beforeAll(async () => {
    laptop = await signedInContext(h.browser, h.baseURL, "alice");
    phone = await signedInContext(h.browser, h.baseURL, "alice", "phone");
  });

  it("lists both devices in Settings, the current one marked", async () => {
    await goToSection(phone.page, "Settings");
    const sessions = phone.page.getByTestId("session-item");
    await expect.poll(() => sessions.count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    const current = sessions.filter({ hasText: "This device" });
    expect(await current.count()).toBe(1);
    expect(await current.getByRole("button", { name: "Revoke" }).count()).toBe(0);
  });

  it("sends the device revoked in Settings to sign-in with a session-ended alert", async () => {
    const other = phone.page.getByTestId("session-item").filter({ hasNotText: "This device" });
    await other.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => phone.page.getByTestId("session-item").count(), { timeout: UI_TIMEOUT_MS }).toBe(1);

    // No reload or click on the laptop: the server tells it.
    await laptop.page.getByRole("alert").filter({ hasText: SESSION_ENDED }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await laptop.page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    expect(await laptop.page.getByTestId("conversation-item").count()).toBe(0);
  });

  it("leaves the revoking device signed in", async () => {
    await goToSection(phone.page, "Active");
    await phone.page.getByTestId("conversation-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("ends a browser session revoked over HTTP by another client's sign-out-everywhere-else", async () => {
    const script = await apiSignIn(h.baseURL, "alice");
    await apiRevokeOtherSessions(script);
    await phone.page.getByRole("alert").filter({ hasText: SESSION_ENDED }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await phone.page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
  });
});
