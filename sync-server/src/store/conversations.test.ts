/**
 * Conversations on the store of TEST_STORE, beyond the contract test (store.contract.test.ts):
 * what a user's list carries besides its order.
 */
import type { MessageRecord } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/helpers/rng.js";
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

describe("a conversation's last message", () => {
  it("is always the newest message by time then id, whatever mix of new, older, edited and deleted messages a commit carries (randomized)", async () => {
    const rng = seededRandom(Number(process.env.FUZZ_SEED ?? 20261202));
    const { store } = await openTestStore({ clock: () => T0 });
    const c = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
    const all = new Map<string, MessageRecord>();
    for (let commit = 0; commit < 60; commit++) {
      const records: MessageRecord[] = [];
      for (let k = 0, n = 1 + rng.int(4); k < n; k++) {
        const existing = [...all.values()];
        if (existing.length > 0 && rng.chance(0.35)) {
          // An edit or a deletion of a stored message (the newest one, often).
          const target = rng.chance(0.5) ? newest(existing) : rng.pick(existing);
          const changed = rng.chance(0.5)
            ? { ...target, text: `edited ${commit}`, editedAt: T0 + commit }
            : { ...target, text: "", deletedAt: T0 + commit };
          records.push(changed);
          all.set(target.id, changed);
        } else {
          // A new message, sometimes older than the last one, sometimes at the same time.
          const id = `m${String(rng.int(1_000_000)).padStart(7, "0")}`;
          if (all.has(id)) continue;
          const r = {
            id,
            author: rng.pick(["alice", "bob"]),
            text: `message ${commit}.${k}`,
            createdAt: T0 + rng.int(8) * 1000,
          };
          records.push(r);
          all.set(id, r);
        }
      }
      const result = await store.transaction((tx) => tx.indexMessages(c.id, 0, records));
      const expected = newest([...all.values()]);
      expect(result?.summary.lastMessage?.id, `commit ${commit}`).toBe(expected.id);
      expect(result?.summary.lastMessage?.deleted).toBe(expected.deletedAt !== undefined);
      expect(result?.summary.lastActivityAt).toBe(expected.createdAt);
      expect(await store.conversations.get(c.id)).toEqual(result?.summary);
    }
  });
});

function newest(records: MessageRecord[]): MessageRecord {
  return records.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.id > a.id) ? b : a));
}
