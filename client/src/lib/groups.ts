/**
 * Groups as the screens word them: summaries stored before groups existed, roles, list
 * previews, system lines with current names, typing and "3 of 7 online". Pure.
 */
import { type ConversationSummary, SYSTEM_AUTHOR, type SystemEvent } from "@messenger/shared";

export type GroupRole = "owner" | "admin" | "member";

/**
 * A summary as the current schema has it. Summaries cached (localStorage, IndexedDB inbox copies)
 * before groups existed lack `kind`, `name` and `adminIds`: they were all direct conversations.
 */
export function normalizeSummary(c: ConversationSummary): ConversationSummary {
  if (c.kind !== undefined && c.name !== undefined && Array.isArray(c.adminIds)) return c;
  return {
    ...c,
    kind: c.kind ?? "direct",
    name: c.name ?? null,
    adminIds: Array.isArray(c.adminIds) ? c.adminIds : [],
  };
}

export const isGroup = (c: ConversationSummary | undefined): boolean => c?.kind === "group";

/** My role in a group, or null when I am not (or no longer) a member. The owner is first in adminIds. */
export function roleOf(c: ConversationSummary, userId: string): GroupRole | null {
  if (!c.memberIds.includes(userId)) return null;
  if (c.adminIds[0] === userId) return "owner";
  return c.adminIds.includes(userId) ? "admin" : "member";
}

export const mayManage = (role: GroupRole | null) => role === "owner" || role === "admin";

/** A group I was in and am no longer: its local copy stays, read-only. */
export function isFormerMember(c: ConversationSummary | undefined, userId: string): boolean {
  return c !== undefined && isGroup(c) && !c.memberIds.includes(userId);
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/** "Bob", "Bob and Carol", "Bob, Carol and Dave". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…"; "" when nobody is. */
export function typingSentence(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** The list preview: "You: hi", "Bob: hi" (groups), "hi" (direct), a system line's sentence. */
export function previewText(c: ConversationSummary, me: string, nameOf: (id: string) => string): string {
  const m = c.lastMessage;
  if (!m) return "No messages yet";
  if (m.authorId === SYSTEM_AUTHOR) return m.text;
  const text = m.deleted ? "Message deleted" : m.text.replace(/\s+/g, " ");
  if (m.authorId === me) return `You: ${text}`;
  return isGroup(c) ? `${firstName(nameOf(m.authorId))}: ${text}` : text;
}

const quote = (name: string) => `\u201c${name}\u201d`;

/**
 * A system line in words with the current names ("You added Dave", "Alice removed you"), or
 * `fallback` (the sentence written with the line) when a name is not known here. A "created"
 * line keeps its sentence: the event does not list the first members, the sentence does.
 */
export function systemSentence(
  event: SystemEvent | undefined,
  fallback: string,
  me: string,
  nameOf: (id: string) => string | undefined,
): string {
  if (!event || event.type === "created") return fallback;
  const subject = (id: string) => (id === me ? "You" : nameOf(id));
  const object = (id: string) => (id === me ? "you" : nameOf(id));
  const actor = subject(event.actor);
  if (actor === undefined) return fallback;
  switch (event.type) {
    case "renamed":
      return `${actor} renamed the group to ${quote(event.name)}`;
    case "added":
    case "removed": {
      const names = event.userIds.map(object);
      if (names.some((n) => n === undefined)) return fallback;
      return `${actor} ${event.type} ${listNames(names as string[])}`;
    }
    case "left":
      return `${actor} left`;
    case "role": {
      const who = object(event.userId);
      if (who === undefined) return fallback;
      return event.role === "admin" ? `${actor} made ${who} an admin` : `${actor} removed ${who} as an admin`;
    }
  }
}

/** Why I am out of a group, from its timeline: the newest line that says so. */
export function departure(events: ReadonlyArray<SystemEvent | undefined>, me: string): "left" | "removed" | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type === "left" && e.actor === me) return "left";
    if (e?.type === "removed" && e.userIds.includes(me)) return "removed";
    if (e?.type === "added" && e.userIds.includes(me)) return null;
    if (e?.type === "created") return null;
  }
  return null;
}

/** "3 of 7 online" (members, me included). */
export function onlineCount(memberIds: readonly string[], isOnline: (id: string) => boolean): string {
  return `${memberIds.filter(isOnline).length} of ${memberIds.length} online`;
}

/** The members in the order a members panel lists them: owner, admins, then by name. */
export function orderedMembers(c: ConversationSummary, nameOf: (id: string) => string): string[] {
  const rank = (id: string) => (c.adminIds[0] === id ? 0 : c.adminIds.includes(id) ? 1 : 2);
  return [...c.memberIds].sort((a, b) => rank(a) - rank(b) || nameOf(a).localeCompare(nameOf(b)));
}
