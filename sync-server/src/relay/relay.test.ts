import { CLOSE_CODES, conversationDocName, messagesMap, SEGMENT_MESSAGES } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import * as Y from "yjs";
import { openTestStore } from "../store/open-test-store.js";
import { rawSql } from "../store/raw-sql.js";
import type { CommitTx, Store } from "../store/types.js";
import type { Connection, SocketLike } from "./connection.js";
import { encodeUpdate } from "./protocol.js";
import { createRelay, type RelayOptions } from "./relay.js";

/** A row count that is a number on both stores (PostgreSQL's count is a bigint). */
const N = "CAST(count(*) AS INTEGER) AS n";

/** A relay on a store of TEST_STORE, and one conversation between alice and bob. */
async function setUp(options: Partial<RelayOptions> = {}, observe: (store: Store) => Store = (store) => store) {
  const place = await openTestStore();
  const { store } = place;
  const relay = createRelay({ store: observe(store), roomIdleUnloadMs: 20, ...options });
  onTestFinished(() => relay.close());
  const repo = store.conversations;
  const { conversation } = await repo.getOrCreateDirect("alice", "bob");
  const count = async (sql: string, params: unknown[] = []) =>
    ((await rawSql<{ n: number }>(store, sql, params))[0] as { n: number }).n;
  const segmentOf = async (messageId: string) =>
    (await repo.segmentsOf(conversation.id, [messageId])).get(messageId)?.segment;
  return { place, store, repo, relay, conversation, count, segmentOf };
}

/** A socket that records what it is sent: the relay core needs nothing more. */
function recordingSocket() {
  const sent: Uint8Array[] = [];
  let closed: number | null = null;
  let why = "";
  const socket: SocketLike = {
    send: (data) => void sent.push(data),
    close: (code, reason) => {
      closed = code;
      why = reason ?? "";
    },
  };
  return { socket, sent, closedWith: () => closed, reason: () => why };
}

/**
 * Waits until a socket's write of `messageId` is applied to its room (a write with a new
 * message id waits for the message index first), without waiting for its commit as
 * `relay.settled()` would.
 */
const applied = (conn: Connection, messageId: string) =>
  vi.waitFor(() => expect(messagesMap(conn.room.doc).has(messageId)).toBe(true));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const user = (id: string) => ({ id, name: id, sessionId: `s-${id}` });

/**
 * The real store, noting each document a transaction appended to once that transaction has
 * committed: what a socket was sent can be checked against what was durable at that moment.
 */
function observingCommits(store: Store) {
  const committed: string[] = [];
  const observed: Store = {
    ...store,
    transaction: async <T>(fn: (tx: CommitTx) => Promise<T>): Promise<T> => {
      const appended: string[] = [];
      const result = await store.transaction((tx) =>
        fn({
          ...tx,
          append: (doc, seq, update) => {
            appended.push(doc);
            return tx.append(doc, seq, update);
          },
        }),
      );
      committed.push(...appended);
      return result;
    },
  };
  return { store: observed, committed };
}

describe("relay core", () => {
  it("compacts a document's log once it passes the threshold, and loads it back whole", async () => {
    const t = await setUp({ compactAfterUpdates: 5 });
    const name = conversationDocName(t.conversation.id, 0);
    for (let i = 0; i < 12; i++)
      await t.relay.postMessage(t.conversation.id, "alice", {
        id: `message-${String(i).padStart(4, "0")}`,
        text: `m${i}`,
      });
    // Compaction runs after the commit that crossed the threshold, without holding up the writer.
    await vi.waitFor(async () => {
      expect(await t.count(`SELECT ${N} FROM doc_snapshot WHERE doc LIKE 'conversation.%'`)).toBe(1);
      expect(await t.count(`SELECT ${N} FROM doc_update WHERE doc LIKE 'conversation.%'`)).toBeLessThan(5);
    });
    expect((await t.store.docs.load(name)).logLength).toBeGreaterThan(0);

    // Another relay on the same database loads the snapshot and the updates after it.
    const second = createRelay({ store: t.store });
    const s = recordingSocket();
    const conn = await second.open(s.socket, user("bob"), name);
    expect(messagesMap(conn.room.doc).size).toBe(12);
    await second.close();

    // And so does one on the database reopened after everything closed.
    await t.relay.close();
    await t.place.close(t.store);
    const again = await t.place.reopen();
    const reloaded = createRelay({ store: again });
    const r = recordingSocket();
    const reconn = await reloaded.open(r.socket, user("bob"), name);
    expect(messagesMap(reconn.room.doc).size).toBe(12);
    await reloaded.close();
  });

  it("unloads an idle room after folding its log into a snapshot", async () => {
    const t = await setUp();
    const name = conversationDocName(t.conversation.id, 0);
    await t.relay.postMessage(t.conversation.id, "alice", { id: "message-0001", text: "hi" });
    expect(t.relay.stats().rooms).toContain(name);
    await vi.waitFor(() => expect(t.relay.stats().rooms).not.toContain(name));
    expect(await t.count(`SELECT ${N} FROM doc_update WHERE doc = ?`, [name])).toBe(0);
    expect(await t.count(`SELECT ${N} FROM doc_snapshot WHERE doc = ?`, [name])).toBe(1);
  });

  it("bulk writes fill a segment, then continue in the next one", async () => {
    const t = await setUp();
    const base = Date.now() - 10_000_000;
    const records = Array.from({ length: SEGMENT_MESSAGES + 10 }, (_, i) => ({
      id: `seed-${String(i).padStart(6, "0")}`,
      author: i % 2 ? "alice" : "bob",
      text: `seed ${i}`,
      createdAt: base + i,
    }));
    expect(await t.relay.writeMessages(t.conversation.id, records)).toEqual({
      written: SEGMENT_MESSAGES + 10,
      skipped: 0,
    });
    expect((await t.repo.get(t.conversation.id))?.headSegment).toBe(1);
    expect(await t.segmentOf("seed-000000")).toBe(0);
    expect(await t.segmentOf(`seed-${String(SEGMENT_MESSAGES + 5).padStart(6, "0")}`)).toBe(1);
    expect(await t.relay.writeMessages(t.conversation.id, records.slice(0, 3))).toEqual({ written: 0, skipped: 3 });
  });

  /** Fills segment 0 so that segment 1 is the head, and opens alice on both. */
  async function twoSegments(t: Awaited<ReturnType<typeof setUp>>) {
    const base = Date.now() - 10_000_000;
    await t.relay.writeMessages(
      t.conversation.id,
      Array.from({ length: SEGMENT_MESSAGES }, (_, i) => ({
        id: `seed-${String(i).padStart(6, "0")}`,
        author: "bob",
        text: `seed ${i}`,
        createdAt: base + i,
      })),
    );
    expect((await t.repo.get(t.conversation.id))?.headSegment).toBe(1);
    const old = recordingSocket();
    const head = recordingSocket();
    const inOld = await t.relay.open(old.socket, user("alice"), conversationDocName(t.conversation.id, 0));
    const inHead = await t.relay.open(head.socket, user("alice"), conversationDocName(t.conversation.id, 1));
    const createdAt = Date.now();
    const write = () => {
      const doc = new Y.Doc();
      messagesMap(doc).set("twice-0001", { id: "twice-0001", author: "alice", text: "once", createdAt });
      return encodeUpdate(Y.encodeStateAsUpdate(doc));
    };
    return { old, head, inOld, inHead, write };
  }

  it("puts a message id in exactly one segment when two sockets write it to two segments in the same tick", async () => {
    const t = await setUp();
    const { old, head, inOld, inHead, write } = await twoSegments(t);
    inHead.receive(write());
    inOld.receive(write());
    await applied(inHead, "twice-0001");
    await t.relay.settled();
    // The old segment is full: a new id there is refused as such, and moved to the head
    // (where it is the same message, so nothing is added twice).
    expect([head.closedWith(), old.closedWith()]).toEqual([null, CLOSE_CODES.WRITE_REJECTED]);
    expect(old.reason()).toBe("segment is full");
    expect(messagesMap(inHead.room.doc).has("twice-0001")).toBe(true);
    expect(messagesMap(inOld.room.doc).has("twice-0001")).toBe(false);
    expect(await t.count(`SELECT ${N} FROM message WHERE id = 'twice-0001'`)).toBe(1);
  });

  it("refuses a message id in one segment while another segment's write of it is applied but not committed", async () => {
    const t = await setUp();
    const { old, head, inOld, inHead, write } = await twoSegments(t);
    // The moment the head applies its write (its commit is still to come), the old segment judges the same id.
    let judgedBeforeCommit = false;
    inHead.room.doc.once("update", () => {
      judgedBeforeCommit = inHead.room.hasPending;
      inOld.receive(write());
    });
    inHead.receive(write());
    await applied(inHead, "twice-0001");
    await t.relay.settled();
    expect(judgedBeforeCommit).toBe(true);
    expect([head.closedWith(), old.closedWith()]).toEqual([null, CLOSE_CODES.WRITE_REJECTED]);
    expect(old.reason()).toBe("message id belongs to another segment");
    expect(messagesMap(inHead.room.doc).has("twice-0001")).toBe(true);
    expect(messagesMap(inOld.room.doc).has("twice-0001")).toBe(false);
    expect(await t.count(`SELECT ${N} FROM message WHERE id = 'twice-0001'`)).toBe(1);
    expect(await t.segmentOf("twice-0001")).toBe(1);
  });

  it("builds one sync step 2 for a socket that asks again before the first reply went out", async () => {
    const t = await setUp();
    const name = conversationDocName(t.conversation.id, 0);
    await t.relay.postMessage(t.conversation.id, "alice", { id: "message-0001", text: "hi" });
    const bob = recordingSocket();
    const conn = await t.relay.open(bob.socket, user("bob"), name);
    const before = bob.sent.length;
    for (let i = 0; i < 3; i++) conn.receive(new Uint8Array([0, 0, 1, 0])); // step 1, empty state vector
    await t.relay.settled();
    const steps2 = bob.sent.slice(before).filter((f) => f[0] === 0 && f[1] === 1);
    expect(steps2).toHaveLength(1);
  });

  it("a rejected update reaches neither the document, the log, nor other sockets", async () => {
    const t = await setUp();
    const name = conversationDocName(t.conversation.id, 0);
    const bob = recordingSocket();
    await t.relay.open(bob.socket, user("bob"), name);
    const mallory = recordingSocket();
    const conn = await t.relay.open(mallory.socket, user("alice"), name);
    const forged = new Y.Doc();
    messagesMap(forged).set("forged-0001", {
      id: "forged-0001",
      author: "bob",
      text: "not alice",
      createdAt: Date.now(),
    });
    const before = bob.sent.length;
    conn.receive(encodeUpdate(Y.encodeStateAsUpdate(forged)));
    await t.relay.settled();
    expect(mallory.closedWith()).toBe(CLOSE_CODES.WRITE_REJECTED);
    expect(messagesMap(conn.room.doc).size).toBe(0);
    expect(await t.count(`SELECT ${N} FROM doc_update WHERE doc LIKE 'conversation.%'`)).toBe(0);
    expect(bob.sent.length).toBe(before);
  });

  it("sends a sync step 2 only after the updates it contains are committed", async () => {
    let committed: string[] = [];
    const t = await setUp({}, (store) => {
      const observed = observingCommits(store);
      committed = observed.committed;
      return observed.store;
    });
    const name = conversationDocName(t.conversation.id, 0);
    const alice = recordingSocket();
    const conn = await t.relay.open(alice.socket, user("alice"), name);
    const bob = recordingSocket();
    const bobConn = await t.relay.open(bob.socket, user("bob"), name);
    const replies: Array<{ commits: number; carries: boolean }> = [];
    const send = bob.socket.send;
    bob.socket.send = (data) => {
      const d = decoding.createDecoder(data);
      if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 1) {
        const received = new Y.Doc();
        Y.applyUpdate(received, decoding.readVarUint8Array(d));
        replies.push({
          commits: committed.filter((doc) => doc === name).length,
          carries: messagesMap(received).has("message-0001"),
        });
      }
      send(data);
    };
    // Bob's step 1 (varuint 0 sync, varuint 0 step 1, empty state vector) arrives the moment
    // alice's update is applied to the room, before its commit.
    conn.room.doc.once("update", () => bobConn.receive(new Uint8Array([0, 0, 1, 0])));
    const local = new Y.Doc();
    messagesMap(local).set("message-0001", { id: "message-0001", author: "alice", text: "x", createdAt: Date.now() });
    conn.receive(encodeUpdate(Y.encodeStateAsUpdate(local)));
    await applied(conn, "message-0001");
    await t.relay.settled();
    expect(replies).toEqual([{ commits: 1, carries: true }]);
    expect(await t.count(`SELECT ${N} FROM doc_update WHERE doc = ?`, [name])).toBe(1);
  });

  it("closes a session's sockets when it ends, and expired sessions at the next sweep", async () => {
    const listeners = new Set<(ids: string[]) => void>();
    const alive = new Set(["s-alice", "s-bob"]);
    const t = await setUp({
      sessionSweepMs: 20,
      sessions: {
        alive: async (ids) => new Set(ids.filter((id) => alive.has(id))),
        onEnded: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    const name = conversationDocName(t.conversation.id, 0);
    const alice = recordingSocket();
    const bob = recordingSocket();
    await t.relay.open(alice.socket, user("alice"), name);
    await t.relay.open(bob.socket, user("bob"), name);
    for (const l of listeners) l(["s-alice"]);
    expect(alice.closedWith()).toBe(CLOSE_CODES.SESSION_ENDED);
    expect(bob.closedWith()).toBeNull();
    alive.delete("s-bob");
    for (let i = 0; i < 100 && bob.closedWith() === null; i++) await sleep(10);
    expect(bob.closedWith()).toBe(CLOSE_CODES.SESSION_ENDED);
  });
});
