import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLOSE_CODES, conversationDocName, messagesMap, SEGMENT_MESSAGES } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import { describe, expect, it, onTestFinished } from "vitest";
import * as Y from "yjs";
import { createConversationRepo } from "../conversations/conversation-repo.js";
import { openDatabase } from "../db/database.js";
import type { SocketLike } from "./connection.js";
import { encodeUpdate } from "./protocol.js";
import { createRelay, type RelayOptions } from "./relay.js";

function setUp(options: Partial<RelayOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-"));
  const file = path.join(dir, "db.sqlite");
  const db = openDatabase(file);
  const repo = createConversationRepo(db, Date.now);
  const relay = createRelay({ db, repo, roomIdleUnloadMs: 20, ...options });
  onTestFinished(async () => {
    await relay.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const { conversation } = repo.getOrCreateDirect("alice", "bob");
  return { db, file, repo, relay, conversation, count: (sql: string) => (db.prepare(sql).get() as { n: number }).n };
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const user = (id: string) => ({ id, name: id, sessionId: `s-${id}` });

describe("relay core", () => {
  it("compacts a document's log once it passes the threshold, and loads it back whole", async () => {
    const t = setUp({ compactAfterUpdates: 5 });
    for (let i = 0; i < 12; i++)
      await t.relay.postMessage(t.conversation.id, "alice", {
        id: `message-${String(i).padStart(4, "0")}`,
        text: `m${i}`,
      });
    expect(t.count("SELECT count(*) AS n FROM doc_snapshot WHERE doc LIKE 'conversation.%'")).toBe(1);
    expect(t.count("SELECT count(*) AS n FROM doc_update WHERE doc LIKE 'conversation.%'")).toBeLessThan(5);
    const again = openDatabase(t.file);
    const reloaded = createRelay({ db: again, repo: createConversationRepo(again, Date.now) });
    const s = recordingSocket();
    const conn = reloaded.open(s.socket, user("bob"), conversationDocName(t.conversation.id, 0));
    expect(messagesMap(conn.room.doc).size).toBe(12);
    await reloaded.close();
    again.close();
  });

  it("unloads an idle room after folding its log into a snapshot", async () => {
    const t = setUp();
    const name = conversationDocName(t.conversation.id, 0);
    await t.relay.postMessage(t.conversation.id, "alice", { id: "message-0001", text: "hi" });
    expect(t.relay.stats().rooms).toContain(name);
    await sleep(100);
    expect(t.relay.stats().rooms).not.toContain(name);
    expect(t.count(`SELECT count(*) AS n FROM doc_update WHERE doc = '${name}'`)).toBe(0);
    expect(t.count(`SELECT count(*) AS n FROM doc_snapshot WHERE doc = '${name}'`)).toBe(1);
  });

  it("bulk writes fill a segment, then continue in the next one", async () => {
    const t = setUp();
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
    expect(t.repo.get(t.conversation.id)?.headSegment).toBe(1);
    expect(t.repo.segmentOf(t.conversation.id, "seed-000000")?.segment).toBe(0);
    expect(t.repo.segmentOf(t.conversation.id, `seed-${String(SEGMENT_MESSAGES + 5).padStart(6, "0")}`)?.segment).toBe(
      1,
    );
    expect(await t.relay.writeMessages(t.conversation.id, records.slice(0, 3))).toEqual({ written: 0, skipped: 3 });
  });

  it("puts a message id in exactly one segment when two sockets write it to two segments in the same tick", async () => {
    const t = setUp();
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
    expect(t.repo.get(t.conversation.id)?.headSegment).toBe(1);
    const old = recordingSocket();
    const head = recordingSocket();
    const inOld = t.relay.open(old.socket, user("alice"), conversationDocName(t.conversation.id, 0));
    const inHead = t.relay.open(head.socket, user("alice"), conversationDocName(t.conversation.id, 1));
    const write = () => {
      const doc = new Y.Doc();
      messagesMap(doc).set("twice-0001", { id: "twice-0001", author: "alice", text: "once", createdAt: Date.now() });
      return encodeUpdate(Y.encodeStateAsUpdate(doc));
    };
    // Same tick: the head's write is not committed yet when the old segment's is judged.
    inHead.receive(write());
    inOld.receive(write());
    await t.relay.settled();
    expect([head.closedWith(), old.closedWith()]).toEqual([null, CLOSE_CODES.WRITE_REJECTED]);
    expect(old.reason()).toBe("message id belongs to another segment");
    expect(messagesMap(inHead.room.doc).has("twice-0001")).toBe(true);
    expect(messagesMap(inOld.room.doc).has("twice-0001")).toBe(false);
    expect(t.count("SELECT count(*) AS n FROM message WHERE id = 'twice-0001'")).toBe(1);
    expect(t.repo.segmentOf(t.conversation.id, "twice-0001")?.segment).toBe(1);
  });

  it("builds one sync step 2 for a socket that asks again before the first reply went out", async () => {
    const t = setUp();
    const name = conversationDocName(t.conversation.id, 0);
    await t.relay.postMessage(t.conversation.id, "alice", { id: "message-0001", text: "hi" });
    const bob = recordingSocket();
    const conn = t.relay.open(bob.socket, user("bob"), name);
    const before = bob.sent.length;
    for (let i = 0; i < 3; i++) conn.receive(new Uint8Array([0, 0, 1, 0])); // step 1, empty state vector
    await t.relay.settled();
    const steps2 = bob.sent.slice(before).filter((f) => f[0] === 0 && f[1] === 1);
    expect(steps2).toHaveLength(1);
  });

  it("a rejected update reaches neither the document, the log, nor other sockets", async () => {
    const t = setUp();
    const name = conversationDocName(t.conversation.id, 0);
    const bob = recordingSocket();
    t.relay.open(bob.socket, user("bob"), name);
    const mallory = recordingSocket();
    const conn = t.relay.open(mallory.socket, user("alice"), name);
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
    expect(t.count("SELECT count(*) AS n FROM doc_update WHERE doc LIKE 'conversation.%'")).toBe(0);
    expect(bob.sent.length).toBe(before);
  });

  it("sends a sync step 2 only after the updates it contains are committed", async () => {
    const t = setUp();
    const name = conversationDocName(t.conversation.id, 0);
    const alice = recordingSocket();
    const conn = t.relay.open(alice.socket, user("alice"), name);
    const local = new Y.Doc();
    messagesMap(local).set("message-0001", { id: "message-0001", author: "alice", text: "x", createdAt: Date.now() });
    conn.receive(encodeUpdate(Y.encodeStateAsUpdate(local)));
    const bob = recordingSocket();
    const bobConn = t.relay.open(bob.socket, user("bob"), name);
    // step 1 from bob: varuint 0 (sync), varuint 0 (step 1), empty state vector
    bobConn.receive(new Uint8Array([0, 0, 1, 0]));
    const rowsWhenReplied: number[] = [];
    const send = bob.socket.send;
    bob.socket.send = (data) => {
      const d = decoding.createDecoder(data);
      if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 1)
        rowsWhenReplied.push(t.count("SELECT count(*) AS n FROM doc_update"));
      send(data);
    };
    await t.relay.settled();
    expect(rowsWhenReplied.length).toBe(1);
    expect(rowsWhenReplied[0]).toBeGreaterThan(0);
  });

  it("closes a session's sockets when it ends, and expired sessions at the next sweep", async () => {
    const listeners = new Set<(ids: string[]) => void>();
    const alive = new Set(["s-alice", "s-bob"]);
    const t = setUp({
      sessionSweepMs: 20,
      sessions: {
        alive: (ids) => new Set(ids.filter((id) => alive.has(id))),
        onEnded: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    const name = conversationDocName(t.conversation.id, 0);
    const alice = recordingSocket();
    const bob = recordingSocket();
    t.relay.open(alice.socket, user("alice"), name);
    t.relay.open(bob.socket, user("bob"), name);
    for (const l of listeners) l(["s-alice"]);
    expect(alice.closedWith()).toBe(CLOSE_CODES.SESSION_ENDED);
    expect(bob.closedWith()).toBeNull();
    alive.delete("s-bob");
    for (let i = 0; i < 100 && bob.closedWith() === null; i++) await sleep(10);
    expect(bob.closedWith()).toBe(CLOSE_CODES.SESSION_ENDED);
  });
});
