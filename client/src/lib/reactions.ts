/**
 * Reactions as the timeline shows them: every live segment document's `reactions` root,
 * counted per message and emoji (`countReactions` from shared), recomputed when any of
 * those documents' reactions change. Create inside a Solid root.
 */
import { countReactions, type ReactionCount, type ReactionRecord, reactionsMap } from "@messenger/shared";
import { type Accessor, createMemo } from "solid-js";
import { type DocHandle, typeVersions } from "./sync.js";

export function liveReactions(handles: Accessor<DocHandle[]>): Accessor<Map<string, ReactionCount[]>> {
  const versions = typeVersions(reactionsMap);
  return createMemo(() => {
    const records: ReactionRecord[] = [];
    for (const h of handles()) {
      versions.track(h);
      for (const r of reactionsMap(h.doc).values()) records.push(r);
    }
    versions.keepOnly(new Set(handles().map((h) => h.name)));
    return countReactions(records);
  });
}

/** "👍 2: Alice, Bob" — what a reaction chip says to a screen reader and on hover. */
export function reactionLabel(count: ReactionCount, nameOf: (id: string) => string, me: string): string {
  const names = count.userIds.map((id) => (id === me ? "you" : nameOf(id)));
  return `${count.emoji} ${count.userIds.length}: ${names.join(", ")}`;
}

/** Did I choose this emoji? */
export const chosenByMe = (count: ReactionCount, me: string): boolean => count.userIds.includes(me);
