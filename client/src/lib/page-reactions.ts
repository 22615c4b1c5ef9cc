/**
 * Reactions of messages the timeline holds only from HTTP pages (older history, a window
 * opened at a message): the server's index sends them with each page (`Message.reactions`).
 * Live documents win for the messages they hold: their reactions are the current ones, and
 * only they can be reacted to. Create inside a Solid root.
 */
import type { Message, ReactionCount } from "@messenger/shared";
import { type Accessor, createSignal } from "solid-js";

/** `prev` with what a page says of its messages (a message with none drops out). */
export function withPageReactions(
  prev: ReadonlyMap<string, ReactionCount[]>,
  messages: readonly Message[],
): Map<string, ReactionCount[]> {
  const next = new Map(prev);
  for (const m of messages) {
    if (m.reactions.length > 0) next.set(m.id, m.reactions);
    else next.delete(m.id);
  }
  return next;
}

/** The timeline's reactions: the live documents' for the messages they hold, the pages' for the rest. */
export function mergeReactions(
  live: ReadonlyMap<string, ReactionCount[]>,
  liveIds: ReadonlySet<string>,
  paged: ReadonlyMap<string, ReactionCount[]>,
): Map<string, ReactionCount[]> {
  if (paged.size === 0) return new Map(live);
  const out = new Map(live);
  for (const [id, counts] of paged) if (!liveIds.has(id)) out.set(id, counts);
  return out;
}

/** messageId → reactions, filled where pages are turned into records. */
export function createPageReactions(): {
  counts: Accessor<Map<string, ReactionCount[]>>;
  note(messages: readonly Message[]): void;
} {
  const [counts, setCounts] = createSignal<Map<string, ReactionCount[]>>(new Map());
  return {
    counts,
    note(messages) {
      if (messages.length > 0) setCounts((prev) => withPageReactions(prev, messages));
    },
  };
}
