/**
 * Authorship, enforced by the server. Decides whether one incoming Yjs update may
 * be applied to a room's document, reading it exactly as `Y.applyUpdate` will:
 *
 * 1. framing (update-framing.ts): exactly one V1 update, one section per client;
 * 2. the integration plan (integration-plan.ts): a port of yjs' own integration loop
 *    yields the structs yjs will integrate, in its order and with its offsets, or
 *    says something would wait in yjs' pending queue ("missing": the client is ahead
 *    of the server; the connection asks it to resend everything, it is not refused);
 * 3. each integrated struct is judged as yjs will integrate it (its key taken from
 *    its origin, in the server's store or earlier in the plan; its content cut at the
 *    offset); the delete set as yjs will apply it; and for every key touched, which
 *    item will be its live value afterwards.
 *
 * Where yjs' conflict resolution (YATA) decides the live value (concurrent writes to
 * one key) or a struct is partly known, the verdict is proven instead: the update is
 * applied to a throwaway copy and the effect checked (trial-apply.ts). Plain writes —
 * a new message, an edit or tombstone on top of the current value — never need it, so
 * the cost follows the size of the update, not the history.
 *
 * Conversation documents (`messages` map of MessageRecord, see shared/schema.ts):
 * - every new struct lives under a Yjs client id owned by the writer (or unclaimed:
 *   the caller claims it when the update is accepted);
 * - every new Item is an entry of the root map `messages` with a key that is a
 *   message id and content that is one MessageRecord (`id === key`, `author ===
 *   writer`, a sane createdAt) or a collected tombstone (ContentDeleted);
 * - a key that already has a value (here, or indexed in any segment) belongs to its
 *   author: same author, createdAt unchanged, same segment;
 * - afterwards every touched key's live value is such a record: messages are
 *   tombstoned, never removed; the delete set touches only the writer's entries;
 * - a segment never holds more than `capacity` messages;
 * - the second root, `reactions`, holds entries `<messageId>:<userId>` whose user is the
 *   writer, each one ReactionRecord (shared/src/reactions.ts) on a message this segment
 *   holds (not a system line); like messages they are replaced, never removed;
 * - a reply's `replyTo` is set when the message is written and never changes.
 * Inbox documents are server-written: any update that would change them is refused,
 * but a resend of what the server already has is accepted as a no-op.
 */
import {
  MAX_CLOCK_SKEW_MS,
  MESSAGE_ID_PATTERN,
  MESSAGES_ROOT,
  type MessageRecord,
  messageRecordProblem,
  messagesMap,
  parseReactionKey,
  REACTIONS_ROOT,
  reactionRecordProblem,
  reactionsMap,
  SYSTEM_AUTHOR,
} from "@messenger/shared";
import * as Y from "yjs";
import { planIntegration, type Struct } from "./integration-plan.js";
import { trialProblem } from "./trial-apply.js";
import { REPEATED_SECTION, updateFramingProblem } from "./update-framing.js";

export interface ValidationContext {
  doc: Y.Doc;
  kind: "conversation" | "inbox";
  /** The authenticated user sending the update. */
  writer: string;
  /** Owner of each Yjs client id already used in this document. */
  clients: ReadonlyMap<number, string>;
  /** Server time, ms since epoch. */
  now: number;
  /** This document's segment (conversation documents). */
  segment: number;
  /** Where a message id is already stored or being committed, in any segment of the conversation. */
  indexed(messageId: string): { segment: number; authorId: string } | null;
  /** Most message ids this document may hold (conversation segments: SEGMENT_MESSAGES). */
  capacity?: number;
  /**
   * Asked before a trial apply (a copy of the segment): false refuses the update as
   * "throttled", so a writer cannot make the server copy segments as fast as it can send.
   */
  admitTrial?: () => boolean;
}

export type Refusal = "malformed" | "forbidden" | "missing" | "throttled";

export type Verdict =
  | {
      ok: true;
      /** Nothing new: applying it would change nothing. */
      noop: boolean;
      /** Message ids whose value this update may change. */
      changedKeys: string[];
      /** Reaction keys (`<messageId>:<userId>`) whose value this update may change. */
      changedReactions: string[];
      /** Client ids first used by this update: claim them for the writer. */
      newClients: number[];
    }
  | {
      ok: false;
      refusal: Refusal;
      reason: string;
      /** Refused only because the segment is full: its new messages, valid, to write into the head instead. */
      overflow?: MessageRecord[];
    };

/** Shape of yjs' DeleteSet (not exported as a type). */
type DeleteSet = { clients: Map<number, Array<{ clock: number; len: number }>> };
const refusal = (kind: Refusal, reason: string) => ({ ok: false as const, refusal: kind, reason });

class Rejection extends Error {}
const refuse = (reason: string): never => {
  throw new Rejection(reason);
};

/** Validates one V1 update against the server's document. Never throws. */
export function validateUpdate(update: Uint8Array, ctx: ValidationContext): Verdict {
  const framing = updateFramingProblem(update);
  if (framing !== null) return refusal(framing === REPEATED_SECTION ? "forbidden" : "malformed", framing);
  let decoded: { structs: Struct[]; ds: DeleteSet };
  try {
    decoded = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet };
  } catch (err) {
    return refusal("malformed", `undecodable update: ${String(err)}`);
  }
  if (decoded.structs.some((s) => s.length === 0)) return refusal("malformed", "empty struct");
  // Clocks past 2^53 lose precision: two structs could share one id.
  const unsafe = (clock: number, len: number) => !Number.isSafeInteger(clock + len);
  if (decoded.structs.some((s) => unsafe(s.id.clock, s.length))) return refusal("malformed", "clock out of range");
  for (const ranges of decoded.ds.clients.values())
    if (ranges.some((r) => unsafe(r.clock, r.len))) return refusal("malformed", "clock out of range");
  try {
    const plan = planIntegration(decoded.structs, ctx.doc.store);
    if (!plan.ok) return refusal(plan.missing ? "missing" : "forbidden", plan.reason);
    const judged = judge(plan.steps, plan.sections, decoded.ds, ctx);
    if ("missing" in judged) return refusal("missing", judged.missing);
    if ("overflow" in judged) return { ...refusal("forbidden", "segment is full"), overflow: judged.overflow };
    if (judged.proveByTrial) {
      if (ctx.admitTrial && !ctx.admitTrial()) return refusal("throttled", "too many conflicting writes");
      const allowed = {
        messages: new Set(judged.verdict.changedKeys),
        reactions: new Set(judged.verdict.changedReactions),
      };
      const problem = trialProblem(update, ctx, allowed, recordProblem);
      if (problem !== null) return refusal("forbidden", problem);
    }
    return judged.verdict;
  } catch (err) {
    if (err instanceof Rejection) return refusal("forbidden", err.message);
    // A shape the checks did not foresee: refuse rather than guess.
    return refusal("forbidden", `unexpected update shape: ${String(err)}`);
  }
}

type Judged =
  | { verdict: Extract<Verdict, { ok: true }>; proveByTrial: boolean }
  | { missing: string }
  | { overflow: MessageRecord[] };

/** Reaction entries in the maps below: their key behind a prefix no message id can start with. */
const REACTION_ENTRY = "r|";
const isReactionEntry = (entry: string) => entry.startsWith(REACTION_ENTRY);

function judge(
  steps: ReturnType<typeof planIntegration> extends infer P
    ? P extends { ok: true; steps: infer S }
      ? S
      : never
    : never,
  sections: Map<number, Struct[]>,
  ds: DeleteSet,
  ctx: ValidationContext,
): Judged {
  const store = ctx.doc.store;
  const conversation = ctx.kind === "conversation";
  const root = conversation ? messagesMap(ctx.doc) : null;
  const reactions = conversation ? reactionsMap(ctx.doc) : null;
  const rootType = root as unknown as Y.AbstractType<unknown> | null;
  const reactionsType = reactions as unknown as Y.AbstractType<unknown> | null;
  const liveMap = (rootType as unknown as { _map: Map<string, Y.Item> } | null)?._map;
  const liveReactions = (reactionsType as unknown as { _map: Map<string, Y.Item> } | null)?._map;
  const newClients = new Set<number>();
  const changedKeys = new Set<string>();
  const changedReactions = new Set<string>();
  const newKeys = new Set<string>();
  const stateAfter = new Map<number, number>();
  /** Entries of this update's integrated Items: a message id, or REACTION_ENTRY + a reaction key. */
  const keyOf = new Map<Y.Item | Y.GC | Y.Skip, string>();
  /** The item that will hold each touched entry's value, as integration proceeds. */
  const live = new Map<string, Y.Item | undefined>();
  const seen = new Map<string, MessageRecord>();
  /** Messages the update's reactions are on: they must be in this segment once it is applied. */
  const reactedTo = new Set<string>();
  const indexedCache = new Map<string, { segment: number; authorId: string } | null>();
  /** Entries whose live value yjs' conflict resolution decides: the trial proves those. */
  const uncertain = new Set<string>();

  /** The entry an existing item is the value of, or a refusal. */
  const entryOf = (s: Y.Item | Y.GC | undefined): string => {
    if (s instanceof Y.Item && typeof s.parentSub === "string") {
      if (s.parent === rootType) return s.parentSub;
      if (s.parent === reactionsType) return REACTION_ENTRY + s.parentSub;
    }
    return refuse("origin is outside the messages map");
  };
  const keyAt = (id: Y.ID): string => {
    if (id.clock < Y.getState(store, id.client)) {
      const structs = store.clients.get(id.client) as Array<Y.Item | Y.GC>;
      return entryOf(structs[Y.findIndexSS(structs, id.clock)]);
    }
    const s = findStruct(sections.get(id.client), id.clock);
    const key = s === undefined ? undefined : keyOf.get(s);
    return key ?? refuse("origin is outside the messages map");
  };

  for (const { struct, offset } of steps) {
    if (ctx.kind === "inbox" || root === null || reactions === null || liveMap === undefined)
      return refuse("inbox documents are read-only");
    const client = struct.id.client;
    const owner = ctx.clients.get(client);
    if (owner !== undefined && owner !== ctx.writer) refuse("client id belongs to another user");
    if (owner === undefined) newClients.add(client);
    stateAfter.set(client, struct.id.clock + struct.length);
    if (!(struct instanceof Y.Item)) continue; // own GC range: occupies clocks, changes nothing

    if (struct.rightOrigin !== null) refuse("map entries have no right origin");
    let entry: string;
    if (struct.origin === null) {
      const parent = struct.parent as unknown;
      if (parent instanceof Y.ID) refuse("nested types are not allowed");
      if (parent !== MESSAGES_ROOT && parent !== REACTIONS_ROOT) refuse("writes outside the messages map");
      if (typeof struct.parentSub !== "string") refuse("not a map entry");
      entry = parent === REACTIONS_ROOT ? REACTION_ENTRY + struct.parentSub : (struct.parentSub as string);
    } else entry = keyAt(struct.origin);
    keyOf.set(struct, entry);

    const content = struct.content;
    if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted))
      refuse(`content type not allowed: ${content.constructor.name}`);
    if (isReactionEntry(entry)) {
      const key = entry.slice(REACTION_ENTRY.length);
      const parsed = parseReactionKey(key);
      if (parsed === null) refuse("map key is not a reaction key");
      if (parsed?.userId !== ctx.writer) refuse("writes another user's reaction");
      if (content instanceof Y.ContentAny) {
        const records = content.arr.slice(offset);
        if (records.length !== 1) refuse("a reaction entry holds exactly one record");
        const problem = reactionRecordProblem(records[0], key, ctx.now);
        if (problem !== null) refuse(problem);
      }
      reactedTo.add(parsed?.messageId as string);
      changedReactions.add(key);
    } else {
      const key = entry;
      if (!MESSAGE_ID_PATTERN.test(key)) refuse("map key is not a message id");
      const current = root.get(key);
      if (current !== undefined && current.author !== ctx.writer) refuse("writes another user's message");
      if (!indexedCache.has(key)) indexedCache.set(key, ctx.indexed(key));
      const indexed = indexedCache.get(key);
      if (indexed && indexed.authorId !== ctx.writer) refuse("writes another user's message");
      if (indexed && indexed.segment !== ctx.segment) refuse("message id belongs to another segment");
      if (content instanceof Y.ContentAny) {
        const records = content.arr.slice(offset);
        if (records.length !== 1) refuse("a message entry holds exactly one record");
        const record = records[0] as MessageRecord;
        const problem = recordProblem(record, key, ctx);
        if (problem !== null) refuse(problem);
        const before = seen.get(key) ?? current;
        if (before !== undefined && before.createdAt !== record.createdAt) refuse("createdAt cannot change");
        if (before !== undefined && before.replyTo !== record.replyTo) refuse("replyTo cannot change");
        seen.set(key, record);
        if (current === undefined && !indexed) newKeys.add(key);
      }
      changedKeys.add(key);
    }

    // Which item holds the entry afterwards? Plain when the struct continues the entry's
    // current value (or starts an entry that has none); otherwise YATA decides: prove it.
    const holder = live.has(entry)
      ? live.get(entry)
      : isReactionEntry(entry)
        ? liveReactions?.get(entry.slice(REACTION_ENTRY.length))
        : liveMap.get(entry);
    if (offset > 0 && keyAt(Y.createID(client, struct.id.clock + offset - 1)) !== entry) {
      refuse("continues another entry");
    }
    const follows =
      offset === 0 &&
      (holder === undefined
        ? struct.origin === null
        : struct.origin !== null && Y.compareIDs(struct.origin, lastId(holder)));
    if (!follows) uncertain.add(entry);
    live.set(entry, struct);
  }

  // A reaction is on a message of this segment (already here, or written by this update), never a system line.
  for (const messageId of reactedTo) {
    const message = seen.get(messageId) ?? root?.get(messageId);
    if (message === undefined) refuse("reacts to a message this segment does not hold");
    if (message?.author === SYSTEM_AUTHOR) refuse("reacts to a system line");
  }

  if (ctx.capacity !== undefined && liveMap !== undefined && liveMap.size + newKeys.size > ctx.capacity) {
    return { overflow: [...newKeys].flatMap((k) => seen.get(k) ?? []) };
  }

  // The delete set, as yjs applies it after the structs.
  let deletesSomething = false;
  const deletedByUpdate = new Set<Y.Item | Y.GC | Y.Skip>();
  for (const [client, ranges] of ds.clients) {
    const serverState = Y.getState(store, client);
    const known = stateAfter.get(client) ?? serverState;
    const serverStructs = store.clients.get(client);
    // yjs parks an empty range at or past the state in its pending delete set.
    if (ranges.some((r) => r.len === 0)) return refuse("empty delete range");
    // Merged first, so the walks below are one pass however the ranges repeat or overlap.
    for (const { clock, len } of mergeRanges(ranges)) {
      const end = clock + len;
      if (end > known) return { missing: "deletes items the server does not have" };
      if (end > serverState) {
        // This update's own new structs: find which of them it deletes.
        const own = sections.get(client) ?? [];
        for (let i = firstEndingAfter(own, Math.max(clock, serverState)); i < own.length; i++) {
          const s = own[i] as Struct;
          if (s.id.clock >= end) break;
          deletedByUpdate.add(s);
        }
      }
      if (clock >= serverState || serverStructs === undefined) continue;
      const stop = Math.min(end, serverState);
      for (let i = Y.findIndexSS(serverStructs, clock); i < serverStructs.length; i++) {
        const s = serverStructs[i] as Y.Item | Y.GC;
        if (s.id.clock >= stop) break;
        if (s.deleted) continue; // already deleted or collected
        if (root === null || !(s instanceof Y.Item)) return refuse("deletes server-written content");
        const key = s.parentSub;
        if ((s.parent !== rootType && s.parent !== reactionsType) || key === null)
          return refuse("deletes outside the messages map");
        const value = s.content instanceof Y.ContentAny ? (s.content.arr[0] as Record<string, unknown>) : undefined;
        if (s.parent === reactionsType) {
          if (value?.userId !== ctx.writer) refuse("deletes another user's reaction");
        } else if (value?.author !== ctx.writer) refuse("deletes another user's message");
        deletesSomething = true;
        deletedByUpdate.add(s);
        const entry = s.parent === reactionsType ? REACTION_ENTRY + key : key;
        if (!live.has(entry)) live.set(entry, s.parent === reactionsType ? liveReactions?.get(key) : liveMap?.get(key));
      }
    }
  }

  // Afterwards, every touched entry holds a live record: messages are tombstoned, never
  // removed, and no key is left holding only a deleted item (a planted empty entry would
  // hide the message another member later writes under that id). Reactions likewise.
  for (const [entry, holder] of live) {
    if (holder === undefined || uncertain.has(entry)) continue;
    const removed = deletedByUpdate.has(holder) || !(holder.content instanceof Y.ContentAny);
    if (removed) refuse("messages are tombstoned, not removed");
  }

  return {
    verdict: {
      ok: true,
      noop: steps.length === 0 && !deletesSomething,
      changedKeys: [...changedKeys],
      changedReactions: [...changedReactions],
      newClients: [...newClients],
    },
    proveByTrial: uncertain.size > 0,
  };
}

const lastId = (item: Y.Item): Y.ID => Y.createID(item.id.client, item.id.clock + item.length - 1);

/** Sorted, overlapping and touching ranges joined. */
function mergeRanges(ranges: Array<{ clock: number; len: number }>): Array<{ clock: number; len: number }> {
  const sorted = [...ranges].sort((a, b) => a.clock - b.clock);
  const out: Array<{ clock: number; len: number }> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.clock <= last.clock + last.len) last.len = Math.max(last.len, r.clock + r.len - last.clock);
    else out.push({ clock: r.clock, len: r.len });
  }
  return out;
}

/** Index of the first struct in `list` (sorted by clock) that ends after `clock`. */
function firstEndingAfter(list: Struct[], clock: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid] as Struct;
    if (s.id.clock + s.length <= clock) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function findStruct(list: Struct[] | undefined, clock: number): Struct | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid] as Struct;
    if (clock < s.id.clock) hi = mid - 1;
    else if (clock >= s.id.clock + s.length) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** Why `record` may not be the writer's value for `key`, or null. */
export function recordProblem(record: unknown, key: string, ctx: Pick<ValidationContext, "writer" | "now">) {
  // lib0's readAny assigns keys with obj[key] = …, so "__proto__" would swap the prototype.
  if (typeof record !== "object" || record === null || Object.getPrototypeOf(record) !== Object.prototype) {
    return "record is not a plain object";
  }
  const problem = messageRecordProblem(record);
  if (problem !== null) return `invalid message: ${problem}`;
  const r = record as MessageRecord;
  if (r.id !== key) return "record id differs from its key";
  if (r.author !== ctx.writer) return "author is not the writer";
  const latest = ctx.now + MAX_CLOCK_SKEW_MS;
  if (r.createdAt > latest || (r.editedAt ?? 0) > latest || (r.deletedAt ?? 0) > latest)
    return "timestamp in the future";
  return null;
}
