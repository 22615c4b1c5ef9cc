/**
 * The proof for updates whose effect yjs' conflict resolution decides (concurrent
 * writes to one key, a struct the server partly has): apply the update to a copy of
 * the document and check what it actually did. Costs a copy of one segment (at most
 * SEGMENT_MESSAGES records), so the validator asks for it only in those cases.
 */
import {
  type MessageRecord,
  messagesMap,
  type ReactionRecord,
  reactionRecordProblem,
  reactionsMap,
} from "@messenger/shared";
import * as Y from "yjs";
import type { ValidationContext } from "./validate-update.js";

type RecordProblem = (record: unknown, key: string, ctx: Pick<ValidationContext, "writer" | "now">) => string | null;

/** Why applying `update` would do something the validator did not allow, or null. */
export function trialProblem(
  update: Uint8Array,
  ctx: ValidationContext,
  allowed: { messages: ReadonlySet<string>; reactions: ReadonlySet<string> },
  recordProblem: RecordProblem,
): string | null {
  const allowedKeys = allowed.messages;
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(ctx.doc));
    const map = messagesMap(copy);
    const reactions = reactionsMap(copy);
    const roots = copy.share.size;
    const touched = new Set<string>();
    const touchedReactions = new Set<string>();
    let outside = false;
    copy.on("afterTransaction", (tr: Y.Transaction) => {
      for (const [type, keys] of tr.changed) {
        const into = type === (map as unknown) ? touched : type === (reactions as unknown) ? touchedReactions : null;
        if (into === null) outside = true;
        else for (const k of keys) if (k !== null) into.add(k);
      }
    });
    const before = new Map<string, MessageRecord | undefined>();
    for (const k of allowedKeys) before.set(k, map.get(k));
    const reactionsBefore = new Map<string, ReactionRecord | undefined>();
    for (const k of allowed.reactions) reactionsBefore.set(k, reactions.get(k));
    try {
      Y.applyUpdate(copy, update);
    } catch (err) {
      return `update does not apply cleanly: ${String(err)}`;
    }
    if (copy.store.pendingStructs !== null || copy.store.pendingDs !== null) return "leaves structs pending";
    if (outside || copy.share.size !== roots) return "writes outside the messages map";
    for (const key of touched) {
      if (!allowedKeys.has(key)) return "changes an entry it does not write";
      const was = before.get(key);
      const now = map.get(key);
      // A touched key ends with a record: no removal, and no planted empty entry.
      if (now === undefined) return "messages are tombstoned, not removed";
      if (now === was) continue;
      const problem = recordProblem(now, key, ctx);
      if (problem !== null) return problem;
      if (was !== undefined && (was.author !== ctx.writer || was.createdAt !== now.createdAt)) {
        return "writes another user's message";
      }
      if (was !== undefined && was.replyTo !== now.replyTo) return "replyTo cannot change";
    }
    for (const key of touchedReactions) {
      if (!allowed.reactions.has(key)) return "changes an entry it does not write";
      const now = reactions.get(key);
      if (now === undefined) return "messages are tombstoned, not removed";
      if (now === reactionsBefore.get(key)) continue;
      const problem = reactionRecordProblem(now, key, ctx.now);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    copy.destroy();
  }
}
