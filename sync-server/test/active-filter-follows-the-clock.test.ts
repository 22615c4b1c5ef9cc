import { type ConversationSummary, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer, type TestUser } from "./helpers/server.js";

const HOUR = 60 * 60 * 1000;

async function activeIds(t: TestServer, user: TestUser, tz: string): Promise<string[]> {
  const res = await t.api<{ conversations: ConversationSummary[] }>(
    "GET",
    `/api/conversations/active?tz=${encodeURIComponent(tz)}`,
    user,
  );
  expect(res.status).toBe(200);
  return res.body.conversations.map((c) => c.id);
}

describe("the active list on a running server", () => {
  it("keeps a conversation active for a message today or in the last hour, by the server's injected clock", async () => {
    // 10:30 UTC on a fixed day; the test moves the server's clock, not the machine's.
    let now = Date.parse("2026-11-26T10:30:00Z");
    const t = await startTestServer({ clock: () => now });
    const [alice, bob, carol] = [await t.signUp("Alice"), await t.signUp("Bob"), await t.signUp("Carol")];
    const withBob = await t.conversation(alice, bob);
    const withCarol = await t.conversation(alice, carol);
    const post = (c: ConversationSummary, from: TestUser, createdAt: number) =>
      t.relay.postMessage(c.id, from.id, { id: newMessageId(), text: "hello", createdAt });

    await post(withBob, bob, now - 20 * 60 * 1000); // 10:10 today
    await post(withCarol, carol, Date.parse("2026-11-25T23:50:00Z")); // yesterday, 23:50 UTC
    expect(await activeIds(t, alice, "UTC")).toEqual([withBob.id]);
    // In Tokyo (UTC+9) 23:50 UTC yesterday was 08:50 today.
    expect((await activeIds(t, alice, "Asia/Tokyo")).sort()).toEqual([withBob.id, withCarol.id].sort());

    now = Date.parse("2026-11-27T00:20:00Z"); // past midnight UTC: only the last hour counts
    expect(await activeIds(t, alice, "UTC")).toEqual([]);
    await post(withCarol, carol, now - 5 * 60 * 1000);
    expect(await activeIds(t, alice, "UTC")).toEqual([withCarol.id]);
    now += 2 * HOUR; // still today, no longer the last hour
    expect(await activeIds(t, alice, "UTC")).toEqual([withCarol.id]);
  });
});
