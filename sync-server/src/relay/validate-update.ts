/**
 * Authorship, enforced by the server. Decides whether one incoming Yjs update may
 * be applied to a room's document, WITHOUT applying it anywhere: it reads the
 * update's structs and delete set and looks up only what they reference in the
 * server's document (binary searches in the struct store, one map lookup per key),
 * so the cost follows the size of the update, not the history.
 *
 * Conversation documents (`messages` map of MessageRecord, see shared/schema.ts):
 * - every new struct lives under a Yjs client id owned by the writer (or unclaimed:
 *   the caller claims it when the update is accepted);
 * - every new Item is an entry of the root map `messages` (explicit parent, or
 *   resolved through its origin, in this update or in the server document), with a
 *   key that is a message id and content that is either one MessageRecord
 *   (ContentAny) with `id === key`, `author === writer`, a sane createdAt, or a
 *   collected tombstone (ContentDeleted, sent for overwritten values);
 * - a key that already has a value (in this document, or in the index for any
 *   segment) belongs to its author: same author, createdAt unchanged, same segment;
 * - the delete set deletes only the writer's own `messages` entries, and deletes a
 *   key's live value only when the same update writes a new value for it (messages
 *   are tombstoned, never removed), skipping ranges already deleted or collected;
 * - structs entirely below the server's state are duplicates and are ignored; a
 *   struct starting above it (missing history) is refused, so nothing ever sits in
 *   yjs' pending queue unvalidated.
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
} from "@messenger/shared";
import * as Y from "yjs";
import { updateFramingProblem } from "./update-framing.js";

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
  /** Where a message id is already indexed, in any segment of the conversation. */
  indexed(messageId: string): { segment: number; authorId: string } | null;
}

export type Verdict =
  | {
      ok: true;
      /** Nothing new: applying it would change nothing. */
      noop: boolean;
      /** Message ids whose value this update may change. */
      changedKeys: string[];
      /** Client ids first used by this update: claim them for the writer. */
      newClients: number[];
    }
  | { ok: false; malformed: boolean; reason: string };

type Struct = Y.Item | Y.GC | Y.Skip;
/** Shape of yjs' DeleteSet (not exported as a type). */
type DeleteSet = { clients: Map<number, Array<{ clock: number; len: number }>> };
type Reject = { ok: false; malformed: boolean; reason: string };
const reject = (reason: string): Reject => ({ ok: false, malformed: false, reason });
const malformed = (reason: string): Reject => ({ ok: false, malformed: true, reason });

class Rejection extends Error {}
const refuse = (reason: string): never => {
  throw new Rejection(reason);
};

/** Validates one V1 update against the server's document. Pure; never throws. */
export function validateUpdate(update: Uint8Array, ctx: ValidationContext): Verdict {
  const framing = updateFramingProblem(update);
  if (framing !== null) return malformed(framing);
  let decoded: { structs: Struct[]; ds: DeleteSet };
  try {
    decoded = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet };
  } catch (err) {
    return malformed(`undecodable update: ${String(err)}`);
  }
  try {
    return check(decoded.structs, decoded.ds, ctx);
  } catch (err) {
    if (err instanceof Rejection) return reject(err.message);
    // A shape the checks did not foresee: refuse rather than guess.
    return reject(`unexpected update shape: ${String(err)}`);
  }
}

function check(structs: Struct[], ds: DeleteSet, ctx: ValidationContext): Verdict {
  const store = ctx.doc.store;
  const byClient = new Map<number, Struct[]>();
  for (const s of structs) {
    const list = byClient.get(s.id.client);
    if (list) list.push(s);
    else byClient.set(s.id.client, [s]);
  }

  // 1. Which structs are new, and may the writer write under their client ids?
  const fresh: Struct[] = [];
  const newClients = new Set<number>();
  const stateAfter = new Map<number, number>();
  for (const [client, list] of byClient) {
    let state = Y.getState(store, client);
    for (const s of list) {
      const end = s.id.clock + s.length;
      if (end <= state) continue; // already known: a duplicate, nothing to check
      if (s.id.clock > state) refuse("struct beyond the document state (missing history)");
      if (ctx.kind === "inbox") refuse("inbox documents are read-only");
      const owner = ctx.clients.get(client);
      if (owner !== undefined && owner !== ctx.writer) refuse("client id belongs to another user");
      if (owner === undefined) newClients.add(client);
      if (s instanceof Y.Skip) continue; // a gap: anything after it is refused above
      fresh.push(s);
      state = end;
    }
    stateAfter.set(client, state);
  }

  const root = ctx.kind === "conversation" ? messagesMap(ctx.doc) : null;
  const rootType = root as unknown as Y.AbstractType<unknown> | null;
  const changedKeys = new Set<string>();

  // 2. Every new Item is a valid `messages` entry of the writer.
  if (root !== null && rootType !== null) {
    const keyOf = createKeyResolver(ctx, byClient, rootType);
    const indexedCache = new Map<string, { segment: number; authorId: string } | null>();
    const seen = new Map<string, MessageRecord>();
    for (const s of fresh) {
      if (!(s instanceof Y.Item)) continue; // own GC range: occupies clocks, changes nothing
      const key = keyOf(s);
      if (!MESSAGE_ID_PATTERN.test(key)) refuse("map key is not a message id");
      const current = root.get(key);
      if (current !== undefined && current.author !== ctx.writer) refuse("writes another user's message");
      if (!indexedCache.has(key)) indexedCache.set(key, ctx.indexed(key));
      const indexed = indexedCache.get(key);
      if (indexed && indexed.authorId !== ctx.writer) refuse("writes another user's message");
      if (indexed && indexed.segment !== ctx.segment) refuse("message id belongs to another segment");
      const content = s.content;
      if (content instanceof Y.ContentAny) {
        if (content.arr.length !== 1) refuse("a message entry holds exactly one record");
        const record = content.arr[0] as MessageRecord;
        const problem = recordProblem(record, key, ctx);
        if (problem !== null) refuse(problem);
        const before = seen.get(key) ?? current;
        if (before !== undefined && before.createdAt !== record.createdAt) refuse("createdAt cannot change");
        seen.set(key, record);
      } else if (!(content instanceof Y.ContentDeleted)) {
        refuse(`content type not allowed: ${content.constructor.name}`);
      }
      changedKeys.add(key);
    }
  }

  // 3. The delete set removes only the writer's own entries.
  let deletesLive = false;
  for (const [client, ranges] of ds.clients) {
    const serverState = Y.getState(store, client);
    const known = stateAfter.get(client) ?? serverState;
    const serverStructs = store.clients.get(client);
    for (const { clock, len } of ranges) {
      if (len === 0) continue;
      const end = clock + len;
      if (end > known) refuse("deletes items the server does not have");
      if (clock >= serverState || serverStructs === undefined) continue; // only this update's own, validated items
      const stop = Math.min(end, serverState);
      for (let i = Y.findIndexSS(serverStructs, clock); i < serverStructs.length; i++) {
        const s = serverStructs[i] as Y.Item | Y.GC;
        if (s.id.clock >= stop) break;
        if (s.deleted) continue; // already deleted or collected
        if (root === null || !(s instanceof Y.Item)) refuse("deletes server-written content");
        const item = s as Y.Item;
        const key = item.parentSub;
        if (item.parent !== rootType || key === null) refuse("deletes outside the messages map");
        const value =
          item.content instanceof Y.ContentAny ? (item.content.arr[0] as MessageRecord | undefined) : undefined;
        if (value?.author !== ctx.writer) refuse("deletes another user's message");
        const live = (rootType as unknown as { _map: Map<string, Y.Item> })._map.get(key as string) === item;
        if (live && !changedKeys.has(key as string)) refuse("messages are tombstoned, not removed");
        deletesLive = true;
      }
    }
  }

  return {
    ok: true,
    noop: fresh.length === 0 && !deletesLive,
    changedKeys: [...changedKeys],
    newClients: [...newClients],
  };
}

function recordProblem(record: unknown, key: string, ctx: ValidationContext): string | null {
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

/**
 * The map key of an Item. Yjs omits parent and key when the Item has an origin;
 * they are then those of the origin, found in this update or in the server document.
 */
function createKeyResolver(ctx: ValidationContext, byClient: Map<number, Struct[]>, rootType: Y.AbstractType<unknown>) {
  const store = ctx.doc.store;
  const resolved = new Map<Y.Item, string>();
  const inUpdate = (id: Y.ID): Struct | undefined => {
    const list = byClient.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid] as Struct;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  };
  const explicitKey = (item: Y.Item): string | null => {
    const parent = item.parent as unknown;
    if (parent === null) return null;
    if (typeof parent !== "string") refuse("nested types are not allowed");
    if (parent !== MESSAGES_ROOT) refuse("writes outside the messages map");
    if (typeof item.parentSub !== "string") refuse("not a map entry");
    return item.parentSub as string;
  };

  return (item: Y.Item): string => {
    const path: Y.Item[] = [];
    const visited = new Set<Y.Item>();
    let current = item;
    let key: string | null = null;
    while (key === null) {
      const known = resolved.get(current);
      if (known !== undefined) {
        key = known;
        break;
      }
      key = explicitKey(current);
      if (key !== null) break;
      if (current.rightOrigin !== null) refuse("map entries have no right origin");
      const origin = current.origin;
      if (origin === null) refuse("item without parent or origin");
      const id = origin as Y.ID;
      path.push(current);
      if (id.clock < Y.getState(store, id.client)) {
        const structs = store.clients.get(id.client) as Array<Y.Item | Y.GC>;
        const s = structs[Y.findIndexSS(structs, id.clock)];
        if (!(s instanceof Y.Item) || s.parent !== rootType || typeof s.parentSub !== "string") {
          refuse("origin is outside the messages map");
        }
        key = (s as Y.Item).parentSub as string;
        break;
      }
      const next = inUpdate(id);
      if (!(next instanceof Y.Item)) refuse("origin is unknown");
      if (visited.has(next as Y.Item)) refuse("origin cycle");
      visited.add(current);
      current = next as Y.Item;
    }
    for (const p of path) resolved.set(p, key);
    resolved.set(item, key);
    return key;
  };
}
