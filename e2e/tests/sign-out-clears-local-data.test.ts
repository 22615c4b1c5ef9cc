import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_NAMES } from "../support/api.js";
import {
  goToSection,
  openConversation,
  type SignedIn,
  signedInContext,
  signedInUserId,
  signOut,
  UI_TIMEOUT_MS,
} from "../support/app.js";
import { useHarness } from "../support/harness.js";

interface LocalData {
  databases: string[];
  storage: Record<string, string>;
}

async function localData(page: Page): Promise<LocalData> {
  return page.evaluate(async () => {
    const databases = (await indexedDB.databases()).flatMap((d) => (d.name ? [d.name] : []));
    const storage: Record<string, string> = {};
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) as string;
      storage[key] = localStorage.getItem(key) ?? "";
    }
    return { databases, storage };
  });
}

describe("signing out", () => {
  const h = useHarness();
  let alice: SignedIn;
  let aliceId: string;
  let conversationId: string;

  beforeAll(async () => {
    alice = await signedInContext(h.browser, h.baseURL, "alice");
    aliceId = await signedInUserId(alice.page);
    await openConversation(alice.page, DEMO_NAMES.carol);
    conversationId = new URL(alice.page.url()).pathname.split("/").pop() ?? "";
    await alice.page.getByTestId("message").first().waitFor({ timeout: UI_TIMEOUT_MS });
    await goToSection(alice.page, "People");
    await alice.page.getByTestId("user-item").first().waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it("keeps the user's documents and cached data locally while signed in", async () => {
    // Guards the next test: it must find this data gone, not absent all along.
    await expect
      .poll(async () => (await localData(alice.page)).databases, { timeout: UI_TIMEOUT_MS })
      .toEqual(expect.arrayContaining([expect.stringContaining(aliceId), expect.stringContaining(conversationId)]));
    const { storage } = await localData(alice.page);
    expect(Object.entries(storage).some(([k, v]) => k.includes(aliceId) || v.includes(aliceId))).toBe(true);
  });

  it("deletes the user's IndexedDB databases and cached localStorage data", async () => {
    await signOut(alice.page);
    await expect
      .poll(
        async () =>
          (await localData(alice.page)).databases.filter((n) => n.includes(aliceId) || n.includes(conversationId)),
        {
          timeout: UI_TIMEOUT_MS,
        },
      )
      .toEqual([]);
    const { storage } = await localData(alice.page);
    const leftovers = Object.entries(storage).filter(
      ([k, v]) =>
        k.includes(aliceId) || v.includes(aliceId) || v.includes(DEMO_NAMES.alice) || v.includes(DEMO_NAMES.carol),
    );
    expect(leftovers, `localStorage still holds: ${JSON.stringify(leftovers).slice(0, 500)}`).toEqual([]);
  });

  it("opens at sign-in after a reload, with nothing of the user's shown", async () => {
    await alice.page.reload();
    await alice.page.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alice.page.getByTestId("conversation-item").count()).toBe(0);
  });
});
