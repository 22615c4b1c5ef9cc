/**
 * What one user or one socket may cost the relay (relay/limits.ts), tried as an
 * attacker would: real server, real sockets. Every limit answers with its close code
 * or HTTP status, loses nothing stored, and an honest client that trips a retryable one
 * (1013) reconnects and resyncs by itself.
 */
import {
  addMessage,
  CLOSE_CODES,
  conversationDocName,
  MESSAGE_SYNC,
  messagesMap,
  newMessageId,
  SEGMENT_MESSAGES,
} from "@messenger/shared";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { awarenessFrame, updateFrame } from "./helpers/frames.js";
import { startTestServer, waitFor } from "./helpers/server.js";
import { mapEntry, writeUpdate } from "./helpers/update-bytes.js";

function syncStep1Frame(doc = new Y.Doc()): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  return encoding.toUint8Array(e);
}

/** One new message by `author` as a single update, written by a fresh replica. */
function messageUpdate(author: string, text = "hello"): Uint8Array {
  const doc = new Y.Doc();
  let update: Uint8Array = new Uint8Array();
  doc.on("update", (u: Uint8Array) => {
    update = u;
  });
  addMessage(doc, { id: newMessageId(), author, text, createdAt: Date.now() });
  return update;
}

describe("limits per user and per socket", () => {
  it("refuses a socket over the per-session cap at the upgrade with 429, and takes one again after another closes", async () => {
    const t = await startTestServer({ relay: { limits: { socketsPerSession: 3 } } });
    const { alice, name } = await t.twoMembers();
    const open = [t.rawSocket(alice, name), t.rawSocket(alice, name), t.rawSocket(alice, name)];
    for (const s of open) expect(await s.opened).toBe(true);
    const fourth = t.rawSocket(alice, name);
    expect(await fourth.opened).toBe(false);
    expect(fourth.refusedStatus).toBe(429);
    await waitFor(() => fourth.refusedBody.includes("TOO_MANY_SOCKETS"), "the refusal names the limit");
    open[0]?.ws.close();
    await waitFor(() => t.relay.stats().connections === 2, "the server saw the close");
    expect(await t.rawSocket(alice, name).opened).toBe(true);
  });

  it("refuses a socket over the per-user cap even from another session", async () => {
    const t = await startTestServer({ relay: { limits: { socketsPerUser: 2 } } });
    const { alice, name } = await t.twoMembers();
    const phone = await t.signInAgain(alice);
    expect(await t.rawSocket(alice, name).opened).toBe(true);
    expect(await t.rawSocket(phone, name).opened).toBe(true);
    const third = t.rawSocket(phone, name);
    expect(await third.opened).toBe(false);
    expect(third.refusedStatus).toBe(429);
  });

  it("closes a socket that writes faster than the user's write budget with 1013, stores no more than the budget, and REST shares that budget", async () => {
    const t = await startTestServer({ relay: { limits: { writeBurst: 20, writesPerSecond: 1 } } });
    const { alice, c, name } = await t.twoMembers();
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    for (let i = 0; i < 100; i++) s.ws.send(updateFrame(messageUpdate(alice.id)));
    expect(await waitFor(() => s.closeCode, "the flooding socket closes")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    await t.relay.settled(); // what was applied before the close may still be committing
    const { body } = await t.api<{ messages: unknown[] }>("GET", `/api/conversations/${c.id}/messages`, alice);
    // The burst, less the REST write that created the conversation.
    expect(body.messages.length).toBeGreaterThanOrEqual(19);
    expect(body.messages.length).toBeLessThan(30);
    const post = await t.api("POST", `/api/conversations/${c.id}/messages`, alice, { id: newMessageId(), text: "x" });
    expect(post.status).toBe(429);
  });

  it("a stock y-websocket provider that trips the frame limit (1013) reconnects by itself and delivers everything", async () => {
    const t = await startTestServer({ relay: { limits: { framesBurst: 15, framesPerSecond: 30 } } });
    const { alice, bob, c, name } = await t.twoMembers();
    const a = t.provider(alice, name);
    await waitFor(() => a.provider.synced, "alice synced");
    let closes = 0;
    a.provider.on("connection-close", (event: { code: number } | null) => {
      if (event?.code === CLOSE_CODES.TRY_AGAIN_LATER) closes++;
    });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(addMessage(a.doc, { id: newMessageId(), author: alice.id, text: `m${i}`, createdAt: Date.now() }).id);
    await waitFor(() => closes > 0, "the flood is closed with 1013");
    const b = t.provider(bob, name);
    await waitFor(
      () => ids.every((id) => messagesMap(b.doc).has(id)),
      "bob receives all 40 after the reconnect",
      30_000,
    );
    await waitFor(() => a.provider.wsconnected && a.provider.synced, "alice is connected again");
    const { body } = await t.api<{ messages: unknown[] }>("GET", `/api/conversations/${c.id}/messages?limit=100`, bob);
    expect(body.messages.length).toBe(40);
  });

  it("closes a socket that floods sync step 1 requests with 1013", async () => {
    const t = await startTestServer({ relay: { limits: { syncStep1Burst: 3, syncStep1PerSecond: 0.1 } } });
    const { alice, name } = await t.twoMembers();
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    for (let i = 0; i < 10; i++) s.ws.send(syncStep1Frame());
    expect(await waitFor(() => s.closeCode, "closed")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
  });

  it("keeps the sync budget per user, so a socket opened after a 1013 gets no fresh burst", async () => {
    const t = await startTestServer({ relay: { limits: { syncStep1Burst: 3, syncStep1PerSecond: 0.01 } } });
    const { alice, name } = await t.twoMembers();
    const first = t.rawSocket(alice, name);
    expect(await first.opened).toBe(true);
    for (let i = 0; i < 4; i++) first.ws.send(syncStep1Frame());
    expect(await waitFor(() => first.closeCode, "closed")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    const second = t.rawSocket(alice, name);
    expect(await second.opened).toBe(true);
    second.ws.send(syncStep1Frame());
    expect(await waitFor(() => second.closeCode, "closed at once")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
  });

  it("refuses upgrades beyond the user's upgrade rate with 429 RATE_LIMITED", async () => {
    const t = await startTestServer({ relay: { limits: { upgradesBurst: 3, upgradesPerSecond: 0.01 } } });
    const { alice, name } = await t.twoMembers();
    for (let i = 0; i < 3; i++) {
      const s = t.rawSocket(alice, name);
      expect(await s.opened).toBe(true);
      s.ws.close();
    }
    const fourth = t.rawSocket(alice, name);
    expect(await fourth.opened).toBe(false);
    expect(fourth.refusedStatus).toBe(429);
    await waitFor(() => fourth.refusedBody.includes("RATE_LIMITED"), "the refusal names the limit");
  });

  it("closes with 1013 a socket that sends concurrent values for one message faster than they can be proven", async () => {
    const t = await startTestServer({ relay: { limits: { trialsBurst: 2, trialsPerSecond: 0.01 } } });
    const { alice, c, name } = await t.twoMembers();
    const id = newMessageId();
    const record = { id, author: alice.id, text: "first", createdAt: Date.now() };
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    // Each frame sets the same key under a fresh client id with no origin: a value concurrent
    // with the stored one, whose fate yjs' conflict resolution decides (a trial apply).
    for (let i = 0; i < 4; i++) {
      const client = 700_000 + i;
      s.ws.send(
        updateFrame(
          writeUpdate({
            sections: [{ client, clock: 0, structs: [mapEntry(client, 0, id, { ...record, text: `v${i}` })] }],
            ds: [],
          }),
        ),
      );
    }
    expect(await waitFor(() => s.closeCode, "closed")).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    // The first value was applied before the socket closed; its commit may still be in flight.
    await t.relay.settled();
    expect((await t.repo.findMessage(c.id, id))?.authorId).toBe(alice.id);
  });

  it("closes a socket that publishes more awareness client ids than allowed with 4408", async () => {
    const t = await startTestServer({ relay: { limits: { awarenessIdsPerSocket: 2 } } });
    const { alice, name } = await t.twoMembers();
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    const entries = [11, 12, 13].map((clientId) => ({ clientId, clock: 1, state: { typingAt: 1 } }));
    s.ws.send(awarenessFrame(entries));
    expect(await waitFor(() => s.closeCode, "closed")).toBe(CLOSE_CODES.POLICY_VIOLATION);
  });

  it("drops a socket that stops reading once its queue passes the high-water mark, while other sockets keep working", async () => {
    const t = await startTestServer({ relay: { limits: { bufferedHighWaterBytes: 64 * 1024 } } });
    const { alice, bob, c, name } = await t.twoMembers();
    // A segment whose sync step 2 is several megabytes.
    const text = "x".repeat(3900);
    await t.relay.writeMessages(
      c.id,
      Array.from({ length: 900 }, (_, i) => ({
        id: `big-${String(i).padStart(6, "0")}`,
        author: bob.id,
        text,
        createdAt: Date.now() - 10_000 + i,
      })),
    );
    const base = t.relay.stats().connections;
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    // The relay serves the socket once its document is loaded, a moment after the upgrade.
    await waitFor(() => t.relay.stats().connections > base, "the server serves the socket");
    (s.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const before = t.relay.stats().connections;
    // Step 1 again and again, as the attack did: each reply is megabytes the kernel's
    // buffers soon stop taking, and the rest waits in the server's memory.
    for (let i = 0; i < 5; i++) {
      s.ws.send(syncStep1Frame());
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitFor(() => t.relay.stats().connections < before, "the server drops the socket that does not read");
    const b = t.provider(bob, name);
    await waitFor(() => b.provider.synced, "bob still syncs");
    expect(messagesMap(b.doc).size).toBe(900);
  });

  it("never lets a segment hold more than SEGMENT_MESSAGES messages, even from frames of 500, and moves the overflow to the head", async () => {
    const t = await startTestServer({ relay: { limits: { writeBurst: 1e6, writesPerSecond: 1e6 } } });
    const { alice, c, name } = await t.twoMembers();
    const replica = new Y.Doc();
    const frames: Uint8Array[] = [];
    replica.on("update", (u: Uint8Array) => frames.push(u));
    for (let f = 0; f < 4; f++)
      replica.transact(() => {
        for (let i = 0; i < 500; i++)
          addMessage(replica, { id: newMessageId(), author: alice.id, text: `m${f}.${i}`, createdAt: Date.now() });
      });
    const s = t.rawSocket(alice, name);
    expect(await s.opened).toBe(true);
    for (const f of frames) s.ws.send(updateFrame(f));
    expect(await waitFor(() => s.closeCode, "the overflowing socket closes")).toBe(CLOSE_CODES.WRITE_REJECTED);
    const reader = t.provider(alice, conversationDocName(c.id, 0));
    await waitFor(() => reader.provider.synced, "synced");
    expect(messagesMap(reader.doc).size).toBe(SEGMENT_MESSAGES);
    expect((await t.repo.get(c.id))?.headSegment).toBe(1);
    // The refused frame's messages are not lost: the server wrote them into the head instead.
    const head = t.provider(alice, conversationDocName(c.id, 1));
    await waitFor(
      () => head.provider.synced && messagesMap(head.doc).size === 500,
      "the third frame's 500 in the head",
    );
    const ids = new Set([...messagesMap(reader.doc).keys(), ...messagesMap(head.doc).keys()]);
    expect(ids.size).toBe(1500);
  });
});
