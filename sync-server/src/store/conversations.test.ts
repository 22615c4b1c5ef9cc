/**
 * Conversations on the store of TEST_STORE, beyond the contract test (store.contract.test.ts):
 * what a user's list carries besides its order.
 */
import { describe, expect, it } from "vitest";
import { openTestStore } from "./open-test-store.js";

const T0 = Date.parse("2026-11-26T10:00:00Z");

describe("conversations", () => {
  it("lists a user's conversations by last activity, each with a preview of its last message", async () => {
    let now = T0;
    const { store } = await openTestStore({ clock: () => now });
    const ab = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
    now += 1000;
    const ac = (await store.conversations.getOrCreateDirect("alice", "carol")).conversation;
    await store.transaction((tx) =>
      tx.indexMessages(ab.id, 0, [{ id: "m0000005", author: "alice", text: "message 5", createdAt: T0 + 5000 }]),
    );
    const list = await store.conversations.listForUser("alice");
    expect(list.map((c) => c.id)).toEqual([ab.id, ac.id]);
    expect(list[0]?.lastMessage).toEqual({
      id: "m0000005",
      authorId: "alice",
      text: "message 5",
      createdAt: T0 + 5000,
      deleted: false,
    });
    expect(list[0]?.lastActivityAt).toBe(T0 + 5000);
    expect(list[1]?.lastMessage).toBeNull();
    expect(list[1]?.lastActivityAt).toBe(T0 + 1000);
    expect((await store.conversations.listForUser("bob")).map((c) => c.id)).toEqual([ab.id]);
  });
});
