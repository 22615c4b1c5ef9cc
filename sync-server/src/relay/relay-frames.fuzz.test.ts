/**
 * Randomized frames against the relay core, as a fuzzer on a socket would send them:
 * real frames of every type (sync step 1, step 2, update, awareness, query awareness),
 * then the same frames flipped, cut, spliced and replaced by noise. Whatever arrives,
 * `receive` never throws, the attacker's socket is the only one closed, and the stored
 * document stays a valid one that agrees with the message index, the honest member's
 * messages untouched.
 *
 * Fixed seed and a bounded count in `npm test`; a longer run:
 *   FUZZ_RUNS=20000 FUZZ_SEED=3 npx vitest run sync-server/src/relay/relay-frames.fuzz.test.ts
 */
import {
  addMessage,
  conversationDocName,
  editMessage,
  type MessageRecord,
  messageRecordProblem,
  messagesMap,
  reactionKey,
  reactionRecordProblem,
  reactionsMap,
  toggleReaction,
} from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import * as Y from "yjs";
import { awarenessFrame } from "../../test/helpers/frames.js";
import { seededRandom } from "../../test/helpers/rng.js";
import { createLogger } from "../logger.js";
import { openTestStore } from "../store/open-test-store.js";
import { rawSql } from "../store/raw-sql.js";
import type { Connection, SocketLike } from "./connection.js";
import { encodeSyncStep1, encodeUpdate } from "./protocol.js";
import { createRelay } from "./relay.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const NO_LIMITS = {
  framesBurst: 1e9,
  framesPerSecond: 1e9,
  writeBurst: 1e9,
  writesPerSecond: 1e9,
  syncStep1Burst: 1e9,
  syncStep1PerSecond: 1e9,
  trialsBurst: 1e9,
  trialsPerSecond: 1e9,
  socketsPerSession: 1e9,
  socketsPerUser: 1e9,
};

function socket() {
  let closed: number | null = null;
  const s: SocketLike = {
    send: () => {},
    close: (code) => {
      closed = code;
    },
  };
  return { s, closedWith: () => closed };
}

describe("the relay core under random frames", () => {
  it(`never throws, closes only the sender, and keeps the document valid and indexed (${RUNS} frames, seed ${SEED})`, {
    timeout: 60_000 + RUNS * 40,
  }, async () => {
    const { store } = await openTestStore();
    const repo = store.conversations;
    const relay = createRelay({ store, limits: NO_LIMITS, logger: createLogger("silent") });
    onTestFinished(() => relay.close());
    /** Every frame received so far judged (index lookups included), applied or refused, committed and fanned out. */
    const quiet = () => relay.settled();
    const { conversation } = await repo.getOrCreateDirect("alice", "bob");
    const name = conversationDocName(conversation.id, 0);
    const user = (id: string) => ({ id, name: id, sessionId: `s-${id}` });

    // Bob, honest, writes a few messages; they must come out of the run as he wrote them.
    const bob = socket();
    const bobConn = await relay.open(bob.s, user("bob"), name);
    const bobDoc = new Y.Doc();
    const bobsMessages: MessageRecord[] = [];
    for (let i = 0; i < 5; i++) {
      bobsMessages.push(
        addMessage(bobDoc, { id: `bob-message-${i}`, author: "bob", text: `bob ${i}`, createdAt: Date.now() }),
      );
    }
    toggleReaction(bobDoc, { messageId: "bob-message-0", userId: "bob", emoji: "👍", at: Date.now() });
    const bobsReaction = reactionsMap(bobDoc).get(reactionKey("bob-message-0", "bob"));
    bobConn.receive(encodeUpdate(Y.encodeStateAsUpdate(bobDoc)));
    await quiet();

    // The attacker's corpus: real frames alice could send.
    const alice = new Y.Doc();
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bobDoc));
    const corpus: Uint8Array[] = [encodeSyncStep1(alice), new Uint8Array([3])];
    alice.on("update", (u: Uint8Array) => corpus.push(encodeUpdate(u)));
    for (let i = 0; i < 20; i++) {
      const m = addMessage(alice, { id: `alice-message-${i}`, author: "alice", text: `a ${i}`, createdAt: Date.now() });
      if (i % 3 === 0) editMessage(alice, m.id, "alice", `a ${i} edited`, Date.now());
      if (i % 4 === 0)
        toggleReaction(alice, { messageId: `bob-message-${i % 5}`, userId: "alice", emoji: "😂", at: Date.now() });
    }
    corpus.push(encodeUpdate(Y.encodeStateAsUpdate(alice)));
    corpus.push(
      awarenessFrame([{ clientId: 5, clock: 1, state: { typingAt: 1 } }]),
      awarenessFrame([{ clientId: 6, clock: 2, state: { user: { id: "bob" }, typingAt: null } }]),
    );

    const r = seededRandom(SEED);
    const mutate = (frame: Uint8Array): Uint8Array => {
      const bytes = Uint8Array.from(frame);
      switch (r.int(6)) {
        case 0: {
          for (let i = 0, n = 1 + r.int(3); i < n && bytes.length > 0; i++) {
            const at = r.int(bytes.length);
            bytes[at] = (bytes[at] as number) ^ (1 << r.int(8));
          }
          return bytes;
        }
        case 1:
          return bytes.subarray(0, r.int(bytes.length + 1));
        case 2: {
          const other = r.pick(corpus);
          return new Uint8Array([
            ...bytes.subarray(0, r.int(bytes.length + 1)),
            ...other.subarray(r.int(other.length)),
          ]);
        }
        case 3:
          return Uint8Array.from({ length: r.int(64) }, () => r.int(256));
        case 4:
          return new Uint8Array([r.int(256), ...bytes.subarray(1)]);
        default:
          return bytes;
      }
    };

    let attacker = socket();
    let conn: Connection = await relay.open(attacker.s, user("alice"), name);
    for (let run = 0; run < RUNS; run++) {
      if (attacker.closedWith() !== null) {
        attacker = socket();
        conn = await relay.open(attacker.s, user("alice"), name);
      }
      const frame = r.chance(0.2) ? r.pick(corpus) : mutate(r.pick(corpus));
      expect(() => conn.receive(frame), `run ${run}`).not.toThrow();
      if (run % 50 === 0) await quiet();
    }
    await quiet();

    expect(bob.closedWith(), "the honest socket stays open").toBeNull();
    const doc = bobConn.room.doc;
    expect([...doc.share.keys()].sort()).toEqual(["messages", "reactions"]);
    expect(doc.store.pendingStructs).toBeNull();
    expect(doc.store.pendingDs).toBeNull();
    const map = messagesMap(doc);
    for (const m of bobsMessages) expect(map.get(m.id), "bob's words are his").toEqual(m);
    expect(reactionsMap(doc).get(reactionKey("bob-message-0", "bob")), "bob's reaction is his").toEqual(bobsReaction);
    expect(
      [...reactionsMap(doc).keys()].some((k) => k.endsWith(":alice")),
      "alice's real reactions got through",
    ).toBe(true);
    for (const [key, reaction] of reactionsMap(doc)) {
      expect(reactionRecordProblem(reaction, key, Date.now()), key).toBeNull();
      expect(map.has(reaction.messageId), `${key} is on a message here`).toBe(true);
    }
    // The real frames in the mix got through: the run judged writes, not only noise.
    expect([...map.values()].filter((m) => m.author === "alice").length).toBeGreaterThan(0);
    for (const [key, record] of map) {
      expect(messageRecordProblem(record), key).toBeNull();
      expect(record.id).toBe(key);
      expect(["alice", "bob"]).toContain(record.author);
    }
    const where = await repo.segmentsOf(conversation.id, [...map.keys()]);
    for (const [key, record] of map)
      expect(where.get(key), `${key} is indexed`).toEqual({ segment: 0, authorId: record.author });
    const [indexed] = await rawSql<{ n: number }>(
      store,
      "SELECT CAST(count(*) AS INTEGER) AS n FROM message WHERE conversation_id = ?",
      [conversation.id],
    );
    expect(indexed?.n).toBe(map.size);
  });
});
