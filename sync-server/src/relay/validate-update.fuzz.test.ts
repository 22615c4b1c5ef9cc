/**
 * Differential fuzzing of the validator against yjs itself. Every generated update —
 * honest writes, and honest writes taken apart and put back wrong (repeated client
 * sections, moved clocks, foreign origins and keys, other clients' ids, GC and Skip
 * structs, forged records, stray delete ranges, flipped bytes) — is judged by
 * `validateUpdate`; every one it accepts is then applied to a copy of the document by
 * `Y.applyUpdate`, and the copy must show exactly what the validator allowed: nothing
 * pending, no other root, no record it did not judge, no message removed or taken over,
 * no reaction but the writer's own on a message the segment holds, no reply re-pointed.
 *
 * Fixed seed and a bounded count in `npm test`; a longer run:
 *   FUZZ_RUNS=20000 FUZZ_SEED=7 npx vitest run sync-server/src/relay/validate-update.fuzz.test.ts
 */
import {
  addMessage,
  deleteMessage,
  editMessage,
  type MessageRecord,
  messagesMap,
  parseReactionKey,
  REACTION_EMOJI,
  type ReactionRecord,
  reactionKey,
  reactionRecordProblem,
  reactionsMap,
  toggleReaction,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type SeededRandom, seededRandom } from "../../test/helpers/rng.js";
import { parseUpdate as parse, writeUpdate as write } from "../../test/helpers/update-bytes.js";
import { type ValidationContext, validateUpdate } from "./validate-update.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const NOW = Date.UTC(2026, 0, 1);
const CAPACITY = 60;
const USERS = ["alice", "bob", "carol"] as const;

function createWorld() {
  const server = new Y.Doc();
  messagesMap(server);
  reactionsMap(server);
  const owners = new Map<number, string>();
  const index = new Map<string, { segment: number; authorId: string }>();
  // Ids another segment holds: writing them here must be refused.
  index.set("elsewhere-alice-0001", { segment: 1, authorId: "alice" });
  index.set("elsewhere-bob-00001", { segment: 1, authorId: "bob" });
  const ctx = (writer: string): ValidationContext => ({
    doc: server,
    kind: "conversation",
    writer,
    clients: owners,
    now: NOW,
    segment: 0,
    indexed: (id) => index.get(id) ?? null,
    capacity: CAPACITY,
  });
  const replicas = new Map<string, Y.Doc>();
  for (const u of USERS) replicas.set(u, new Y.Doc());
  return { server, owners, index, ctx, replicas };
}
type World = ReturnType<typeof createWorld>;

let counter = 0;
function honestWrite(w: World, r: SeededRandom, user: string): Uint8Array {
  const doc = w.replicas.get(user) as Y.Doc;
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(w.server));
  // Sometimes a replica under a new client id, sometimes a long-lived one.
  if (r.chance(0.2)) doc.clientID = 1 + r.int(2 ** 31);
  const mine = [...messagesMap(doc).values()].filter((m) => m.author === user);
  const writes = 1 + r.int(3);
  const all = [...messagesMap(doc).values()];
  for (let i = 0; i < writes; i++) {
    if (all.length > 0 && r.chance(0.25)) {
      const on = r.pick(all) as MessageRecord;
      toggleReaction(doc, { messageId: on.id, userId: user, emoji: r.pick([...REACTION_EMOJI]), at: NOW });
      continue;
    }
    const target = mine.length > 0 && r.chance(0.4) ? r.pick(mine) : undefined;
    if (target && r.chance(0.5)) editMessage(doc, target.id, user, `edit ${counter++}`, NOW);
    else if (target) deleteMessage(doc, target.id, user, NOW);
    else {
      const id = r.chance(0.05) ? `elsewhere-${user}-0001` : `m-${user}-${String(counter++).padStart(6, "0")}`;
      try {
        const replyTo = all.length > 0 && r.chance(0.3) ? r.pick(all)?.id : undefined;
        addMessage(doc, { id, author: user, text: `hi ${counter}`, createdAt: NOW - 1000, replyTo });
      } catch {
        // an invalid id for the schema: skip
      }
    }
  }
  return Y.encodeStateAsUpdate(doc, Y.encodeStateVector(w.server));
}

/** Takes an update apart and puts it back wrong, in one of many ways. */
function mutate(w: World, r: SeededRandom, update: Uint8Array, writer: string): Uint8Array {
  const p = parse(update);
  const serverStructs = [...w.server.store.clients.values()].flat() as Array<Y.Item | Y.GC>;
  const anyServerId = () => {
    const s = r.pick(serverStructs);
    return s ? Y.createID(s.id.client, s.id.clock + r.int(s.length)) : Y.createID(1, 0);
  };
  const otherClient = () => {
    const foreign = [...w.owners].filter(([, u]) => u !== writer).map(([c]) => c);
    return foreign.length > 0 && r.chance(0.7) ? r.pick(foreign) : 1 + r.int(2 ** 31);
  };
  const items = () => p.sections.flatMap((s) => s.structs).filter((s): s is Y.Item => s instanceof Y.Item);
  const kinds = r.int(22);
  switch (kinds) {
    case 0: {
      // The forgery family: the same client twice, the second section different.
      const sec = r.pick(p.sections);
      if (!sec) break;
      const other = parse(honestWrite(w, r, r.pick(USERS)));
      const copy = other.sections[0];
      if (copy) p.sections.push({ ...copy, client: sec.client, clock: r.chance(0.5) ? sec.clock : r.int(8) });
      else p.sections.push({ ...sec });
      if (r.chance(0.5)) p.sections.reverse();
      break;
    }
    case 1: {
      const sec = r.pick(p.sections);
      if (sec) sec.clock = Math.max(0, sec.clock + r.int(7) - 3);
      break;
    }
    case 2: {
      const sec = r.pick(p.sections);
      if (sec) sec.client = otherClient();
      break;
    }
    case 3: {
      const it = r.pick(items());
      if (it) it.origin = r.chance(0.8) ? anyServerId() : Y.createID(otherClient(), r.int(50));
      break;
    }
    case 4: {
      const it = r.pick(items());
      if (it) {
        it.origin = null;
        it.rightOrigin = null;
        it.parent = "messages" as unknown as Y.AbstractType<unknown>;
        const keys = [...messagesMap(w.server).keys()];
        it.parentSub = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : "other-root-key";
      }
      break;
    }
    case 5: {
      const it = r.pick(items());
      if (it && it.content instanceof Y.ContentAny) {
        const rec = { ...(it.content.arr[0] as MessageRecord) };
        const field = r.int(4);
        if (field === 0) rec.author = r.pick(USERS);
        else if (field === 1) rec.createdAt = NOW - r.int(10_000_000);
        else if (field === 2) rec.id = `m-forged-${r.int(1000)}`;
        else rec.text = "";
        it.content = new Y.ContentAny([rec]);
      }
      break;
    }
    case 6: {
      const it = r.pick(items());
      if (it) it.content = r.chance(0.5) ? new Y.ContentDeleted(1) : new Y.ContentString("x");
      break;
    }
    case 7: {
      const it = r.pick(items());
      if (it) it.rightOrigin = anyServerId();
      break;
    }
    case 8: {
      const sec = r.pick(p.sections);
      if (sec) {
        const at = r.int(sec.structs.length + 1);
        const len = 1 + r.int(3);
        const id = Y.createID(sec.client, 0);
        sec.structs.splice(at, 0, r.chance(0.5) ? new Y.GC(id, len) : new Y.Skip(id, len));
      }
      break;
    }
    case 9: {
      // Delete ranges: someone's items, own items, fresh items, beyond the state.
      const s = r.pick(serverStructs);
      const client = r.chance(0.7) && s ? s.id.client : (p.sections[0]?.client ?? 1);
      const clock = s && client === s.id.client ? s.id.clock : r.int(20);
      p.ds.push({ client, ranges: [[clock, 1 + r.int(3)]] });
      break;
    }
    case 10: {
      const it = r.pick(items());
      if (it) it.parent = Y.createID(otherClient(), r.int(10)) as unknown as Y.AbstractType<unknown>;
      break;
    }
    case 11: {
      const it = r.pick(items());
      if (it && it.content instanceof Y.ContentAny)
        it.content = new Y.ContentAny([it.content.arr[0], { ...(it.content.arr[0] as MessageRecord) }]);
      break;
    }
    case 12: {
      if (p.sections.length > 1) p.sections.reverse();
      else {
        const sec = p.sections[0];
        if (sec && sec.structs.length > 1) sec.structs.reverse();
      }
      break;
    }
    case 13: {
      // A struct of the writer's own client that the server already has, with a bogus reference.
      const own = [...w.owners].filter(([, u]) => u === writer).map(([c]) => c);
      const client = own.length > 0 ? r.pick(own) : undefined;
      const known = client === undefined ? [] : ((w.server.store.clients.get(client) ?? []) as Array<Y.Item | Y.GC>);
      const s = known.length > 0 ? r.pick(known) : undefined;
      if (s instanceof Y.Item && client !== undefined) {
        const rec = { id: "m-ghost-000001", author: writer, text: "ghost", createdAt: NOW };
        const ghost = new Y.Item(
          Y.createID(client, s.id.clock),
          null,
          r.chance(0.5) ? Y.createID(otherClient(), 1000 + r.int(5)) : Y.createID(client, s.id.clock + 5000),
          null,
          null,
          null,
          null,
          new Y.ContentAny([rec]),
        );
        p.sections.push({ client, clock: s.id.clock, structs: [ghost] });
      }
      break;
    }
    case 14: {
      // A struct the server partly has: start it earlier, over known clocks.
      const sec = r.pick(p.sections);
      const first = sec?.structs[0];
      if (sec && first instanceof Y.Item && first.content instanceof Y.ContentDeleted && sec.clock > 0) {
        first.content = new Y.ContentDeleted(first.length + 1);
        sec.clock -= 1;
      }
      break;
    }
    case 15:
    case 16: {
      // A concurrent write to one of the writer's keys: origin an older value or none,
      // so yjs' conflict resolution decides where it lands; sometimes a tombstone-less
      // removal, sometimes also deleting the current value.
      const mine = [...messagesMap(w.server).entries()].filter(([, m]) => m.author === writer);
      const target = mine.length > 0 ? r.pick(mine) : undefined;
      if (!target) break;
      const [key, rec] = target;
      const history = (serverStructs.filter((s) => s instanceof Y.Item && s.parentSub === key) as Y.Item[]).sort(
        (a, b) => a.id.clock - b.id.clock,
      );
      const origin = history.length > 0 && r.chance(0.6) ? r.pick(history).lastId : null;
      const client = r.chance(0.5) ? 1 + r.int(2 ** 31) : otherClient();
      const content = r.chance(0.5) ? new Y.ContentDeleted(1) : new Y.ContentAny([{ ...rec, text: "concurrent" }]);
      const parent = origin === null ? ("messages" as unknown as Y.AbstractType<unknown>) : null;
      const item = new Y.Item(Y.createID(client, 0), null, origin, null, null, parent, origin ? null : key, content);
      p.sections.push({ client, clock: 0, structs: [item] });
      const live = (messagesMap(w.server) as unknown as { _map: Map<string, Y.Item> })._map.get(key);
      if (live && r.chance(0.5)) p.ds.push({ client: live.id.client, ranges: [[live.id.clock, live.length]] });
      break;
    }
    case 17: {
      // A reaction record forged: another user, another message, an emoji outside the set.
      const reactionItems = items().filter((i) => (i.parent as unknown) === "reactions");
      const it = r.pick(reactionItems.length > 0 && r.chance(0.7) ? reactionItems : items());
      if (it && it.content instanceof Y.ContentAny) {
        const rec = { ...(it.content.arr[0] as Record<string, unknown>) };
        const field = r.int(5);
        const parsed = typeof it.parentSub === "string" ? parseReactionKey(it.parentSub) : null;
        if (field === 4 && parsed) {
          // Consistent key and record, on a message this segment does not hold.
          const elsewhere = r.pick(["m-none-000001", "elsewhere-alice-0001"]) as string;
          it.parentSub = reactionKey(elsewhere, parsed.userId);
          rec.messageId = elsewhere;
        }
        if (field === 0) rec.userId = r.pick(USERS);
        else if (field === 1) rec.messageId = r.pick([...messagesMap(w.server).keys()]) ?? "m-none-000001";
        else if (field === 2) rec.emoji = [r.pick(["🍕", "👍", "x"]), "👍"];
        else if (field === 3) rec.replyTo = r.pick([...messagesMap(w.server).keys()]) ?? "m-none-000001";
        it.content = new Y.ContentAny([rec]);
      }
      break;
    }
    case 18: {
      // An item moved to the other root, or to another user's reaction key.
      const it = r.pick(items());
      if (it) {
        it.origin = null;
        it.rightOrigin = null;
        const messages = [...messagesMap(w.server).keys()];
        const on = messages.length > 0 ? (r.pick(messages) as string) : "m-none-000001";
        const toReactions = r.chance(0.7);
        it.parent = (toReactions ? "reactions" : "messages") as unknown as Y.AbstractType<unknown>;
        it.parentSub = toReactions ? reactionKey(on, r.pick(USERS)) : on;
      }
      break;
    }
    case 19:
    case 20: {
      // A concurrent write to someone's reaction entry (origin their item, or none).
      const entries = [...reactionsMap(w.server).entries()];
      const target = entries.length > 0 ? r.pick(entries) : undefined;
      if (!target) break;
      const [key, rec] = target;
      const history = (serverStructs.filter((s) => s instanceof Y.Item && s.parentSub === key) as Y.Item[]).sort(
        (a, b) => a.id.clock - b.id.clock,
      );
      const origin = history.length > 0 && r.chance(0.6) ? r.pick(history).lastId : null;
      const client = r.chance(0.5) ? 1 + r.int(2 ** 31) : otherClient();
      const content = r.chance(0.3) ? new Y.ContentDeleted(1) : new Y.ContentAny([{ ...rec, emoji: [], at: NOW }]);
      const parent = origin === null ? ("reactions" as unknown as Y.AbstractType<unknown>) : null;
      const item = new Y.Item(Y.createID(client, 0), null, origin, null, null, parent, origin ? null : key, content);
      p.sections.push({ client, clock: 0, structs: [item] });
      const live = (reactionsMap(w.server) as unknown as { _map: Map<string, Y.Item> })._map.get(key);
      if (live && r.chance(0.5)) p.ds.push({ client: live.id.client, ranges: [[live.id.clock, live.length]] });
      break;
    }
    default: {
      const bytes = write(p);
      const i = r.int(bytes.length);
      bytes[i] = (bytes[i] as number) ^ (1 << r.int(8));
      return bytes;
    }
  }
  return write(p);
}

/** What `Y.applyUpdate` really did to a copy, checked against what the validator allowed. */
function checkEffect(w: World, update: Uint8Array, writer: string, verdict: ReturnType<typeof validateUpdate>) {
  if (!verdict.ok) return;
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(w.server));
  const before = messagesMap(copy).toJSON() as Record<string, MessageRecord>;
  const reactionsBefore = reactionsMap(copy).toJSON() as Record<string, ReactionRecord>;
  const svBefore = Y.decodeStateVector(Y.encodeStateVector(copy));
  Y.applyUpdate(copy, update); // must not throw
  expect(copy.store.pendingStructs, "nothing left pending").toBeNull();
  expect(copy.store.pendingDs, "no delete left pending").toBeNull();
  expect(
    [...copy.share.keys()].filter((k) => k !== "messages" && k !== "reactions"),
    "no other root",
  ).toEqual([]);
  const after = messagesMap(copy).toJSON() as Record<string, MessageRecord>;
  const changed = new Set(verdict.changedKeys);
  // Every key the update touches ends with a record: no removal, no planted empty entry
  // that would hide a message someone later writes under that id.
  for (const key of changed) expect(after[key], `touched key ${key} holds a record`).toBeDefined();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[key];
    const a = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    expect(changed.has(key), `changed key ${key} was judged`).toBe(true);
    expect(a, `message ${key} is not removed`).toBeDefined();
    expect(a?.author, `${key} is written by its writer`).toBe(writer);
    expect(a?.id).toBe(key);
    if (b) {
      expect(b.author, `${key} was the writer's`).toBe(writer);
      expect(a?.createdAt).toBe(b.createdAt);
      expect(a?.replyTo, `${key} replies to what it replied to`).toBe(b.replyTo);
    }
    const idx = w.index.get(key);
    if (idx) expect(idx).toEqual({ segment: 0, authorId: writer });
  }
  expect(Object.keys(after).length, "the segment cap holds").toBeLessThanOrEqual(CAPACITY);
  const reactionsAfter = reactionsMap(copy).toJSON() as Record<string, ReactionRecord>;
  const changedReactions = new Set(verdict.changedReactions);
  for (const key of changedReactions) expect(reactionsAfter[key], `reaction ${key} holds a record`).toBeDefined();
  for (const key of new Set([...Object.keys(reactionsBefore), ...Object.keys(reactionsAfter)])) {
    const a = reactionsAfter[key];
    if (JSON.stringify(a) === JSON.stringify(reactionsBefore[key])) continue;
    expect(changedReactions.has(key), `changed reaction ${key} was judged`).toBe(true);
    expect(a, `reaction ${key} is not removed`).toBeDefined();
    expect(parseReactionKey(key)?.userId, `reaction ${key} is the writer's`).toBe(writer);
    expect(reactionRecordProblem(a, key, NOW), `reaction ${key} is valid`).toBeNull();
    expect(after[a?.messageId ?? ""], `reaction ${key} is on a message here`).toBeDefined();
  }
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(copy))) {
    if (clock === (svBefore.get(client) ?? 0)) continue;
    const owner = w.owners.get(client);
    expect(owner === writer || (owner === undefined && verdict.newClients.includes(client)), "own client id").toBe(
      true,
    );
  }
  copy.destroy();
}

function accept(w: World, update: Uint8Array, writer: string, verdict: ReturnType<typeof validateUpdate>) {
  if (!verdict.ok || verdict.noop) return;
  for (const c of verdict.newClients) w.owners.set(c, writer);
  Y.applyUpdate(w.server, update);
  for (const key of verdict.changedKeys) {
    const rec = messagesMap(w.server).get(key);
    if (rec && !w.index.has(key)) w.index.set(key, { segment: 0, authorId: rec.author });
  }
}

describe("validateUpdate against Y.applyUpdate (differential fuzz)", () => {
  it(`accepts only updates whose real effect is what it checked (${RUNS} updates, seed ${SEED})`, {
    timeout: 60_000 + RUNS * 50,
  }, () => {
    const r = seededRandom(SEED);
    let w = createWorld();
    const tally = { honestAccepted: 0, honest: 0, accepted: 0, forbidden: 0, malformed: 0, missing: 0, throttled: 0 };
    for (let run = 0; run < RUNS; run++) {
      if (messagesMap(w.server).size >= CAPACITY - 5 || run % 300 === 0) w = createWorld();
      const writer = r.pick(USERS);
      const honest = honestWrite(w, r, writer);
      const mutated = r.chance(0.75);
      const update = mutated ? mutate(w, r, honest, writer) : honest;
      let verdict: ReturnType<typeof validateUpdate>;
      try {
        verdict = validateUpdate(update, w.ctx(writer));
      } catch (err) {
        throw new Error(`validateUpdate threw on run ${run}: ${String(err)}`);
      }
      if (!mutated) {
        tally.honest++;
        if (verdict.ok) tally.honestAccepted++;
        else if (!verdict.reason.includes("another segment") && !verdict.reason.includes("segment is full"))
          throw new Error(`run ${run}: an honest update was refused: ${verdict.reason}`);
      }
      if (verdict.ok) tally.accepted++;
      else tally[verdict.refusal]++;
      try {
        checkEffect(w, update, writer, verdict);
      } catch (err) {
        throw new Error(`run ${run} (seed ${SEED}), writer ${writer}: ${String(err)}`, { cause: err });
      }
      accept(w, update, writer, verdict);
      // An accepted mutation may hold other content under the replica's own ids: that
      // replica no longer matches the server, as no real client would. Start it afresh.
      if (mutated && verdict.ok && !verdict.noop) w.replicas.set(writer, new Y.Doc());
    }
    // The generator must reach every verdict, or the test proves little.
    console.info("fuzz tally", tally);
    expect(tally.honestAccepted).toBeGreaterThan(tally.honest * 0.5);
    expect(tally.forbidden).toBeGreaterThan(RUNS * 0.05);
    expect(tally.malformed).toBeGreaterThan(0);
    expect(tally.accepted).toBeGreaterThan(RUNS * 0.3);
  });
});
