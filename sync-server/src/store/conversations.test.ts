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

describe("indexing a commit's segments at once", () => {
  it("leaves every conversation exactly as indexing them one by one would (randomized)", async () => {
    const rng = seededRandom(Number(process.env.FUZZ_SEED ?? 20261203));
    const one = (await openTestStore({ clock: () => T0 })).store;
    const batch = (await openTestStore({ clock: () => T0 })).store;
    const pairs: Array<[string, string]> = [
      ["alice", "bob"],
      ["alice", "carol"],
      ["bob", "carol"],
    ];
    const convsOne: string[] = [];
    const convsBatch: string[] = [];
    for (const [a, b] of pairs) {
      convsOne.push((await one.conversations.getOrCreateDirect(a, b)).conversation.id);
      convsBatch.push((await batch.conversations.getOrCreateDirect(a, b)).conversation.id);
    }
    const written: Array<Map<string, MessageRecord>> = pairs.map(() => new Map());
    // A message lives in one segment: its edits come from that segment's document.
    const segmentOf = new Map<string, number>();
    for (let commit = 0; commit < 40; commit++) {
      const plan: Array<{ conv: number; segment: number; records: MessageRecord[] }> = [];
      for (let e = 0, n = 1 + rng.int(4); e < n; e++) {
        const conv = rng.int(pairs.length);
        const mine = written[conv] as Map<string, MessageRecord>;
        const segment = rng.int(2);
        const records: MessageRecord[] = [];
        for (let k = 0, m = 1 + rng.int(3); k < m; k++) {
          const old = [...mine.values()].filter((r) => segmentOf.get(r.id) === segment);
          if (old.length > 0 && rng.chance(0.3)) {
            const r = { ...rng.pick(old), text: `edit ${commit}`, editedAt: T0 + commit };
            records.push(r);
            mine.set(r.id, r);
          } else {
            const id = `m${String(rng.int(10_000_000)).padStart(8, "0")}`;
            if (mine.has(id)) continue;
            const r = {
              id,
              author: (pairs[conv] as [string, string])[rng.int(2)] as string,
              text: `m ${commit}`,
              createdAt: T0 + rng.int(20) * 1000,
            };
            records.push(r);
            mine.set(id, r);
            segmentOf.set(id, segment);
          }
        }
        if (records.length > 0) plan.push({ conv, segment, records });
      }
      await one.transaction(async (tx) => {
        for (const p of plan) await tx.indexMessages(convsOne[p.conv] as string, p.segment, p.records);
      });
      const results = await batch.transaction((tx) =>
        tx.indexMessagesBatch(
          plan.map((p) => ({ conversationId: convsBatch[p.conv] as string, segment: p.segment, records: p.records })),
        ),
      );
      for (let c = 0; c < pairs.length; c++) {
        const a = await one.conversations.get(convsOne[c] as string);
        const b = await batch.conversations.get(convsBatch[c] as string);
        expect({ ...b, id: a?.id, documents: a?.documents }, `commit ${commit}, conversation ${c}`).toEqual(a);
        if (plan.some((p) => p.conv === c)) expect(results.get(convsBatch[c] as string)?.summary).toEqual(b);
        const pageA = await one.conversations.messagesPage(convsOne[c] as string, undefined, 200);
        const pageB = await batch.conversations.messagesPage(convsBatch[c] as string, undefined, 200);
        const strip = (page: typeof pageA) => page?.messages.map(({ conversationId: _, ...m }) => m);
        expect(strip(pageB)).toEqual(strip(pageA));
      }
    }
  });
});
