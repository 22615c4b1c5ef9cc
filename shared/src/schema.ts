/**
 * The Yjs document schema. Only these functions write documents, on the client,
 * in seeds and on the server, and the relay's validator enforces the same rules.
 *
 * A conversation segment document has one root: `messages`, a Y.Map from message
 * id to a plain MessageRecord. Keyed, not a Y.Array: replay of a keyed map stays
 * linear in the history, where a Y.Array appended by one writer replays
 * quadratically (~24x slower at 100k, `npm run bench` "shapes"), and a key gives
 * idempotency for free (writing the same id twice stores one message). Neither
 * shape makes 100k messages cheap to open, hence segments (SEGMENT_MESSAGES). Records are plain objects, so
 * an edit replaces the whole record and the relay checks one value per change.
 *
 * A second root, `reactions`, is a Y.Map from `<messageId>:<userId>` to that user's
 * ReactionRecord for a message of the same segment: one key per user, so reactions of
 * different people never conflict, and the relay checks that the key's user is the writer.
 *
 * An inbox document (server-written, read-only for clients) has one root:
 * `conversations`, a Y.Map from conversation id to a ConversationSummary.
 */
import type * as Y from "yjs";
import type { ConversationSummary, ReadState } from "./api.js";

export const MESSAGES_ROOT = "messages";
/** Second root of a conversation segment: `<messageId>:<userId>` → ReactionRecord. */
export const REACTIONS_ROOT = "reactions";
export const INBOX_ROOT = "conversations";
/** Second root of an inbox: conversation id → the user's own ReadState (unread count, read mark). */
export const INBOX_READS_ROOT = "reads";
/** Third root of an inbox: the user's settings (`readReceipts`), so every device follows a change live. */
export const INBOX_SETTINGS_ROOT = "settings";

/** Messages in one segment before the server starts the next one. */
export const SEGMENT_MESSAGES = 1000;
export const MAX_MESSAGE_TEXT_LENGTH = 4000;
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Author of the server's own lines in a timeline (membership changes); never a user id. */
export const SYSTEM_AUTHOR = "@system";

/** What a system line records: written by the server only, in the conversation's head segment. */
export type SystemEvent =
  | { type: "created"; actor: string; name: string; userIds: string[] }
  | { type: "renamed"; actor: string; name: string }
  | { type: "added"; actor: string; userIds: string[] }
  | { type: "removed"; actor: string; userIds: string[] }
  | { type: "left"; actor: string }
  | { type: "role"; actor: string; userId: string; role: "admin" | "member" };

export interface MessageRecord {
  id: string;
  /** User id of the author; the relay rejects any other value than the writer's own id. */
  author: string;
  text: string;
  /** ms since epoch, from the author's clock. */
  createdAt: number;
  editedAt?: number;
  /** Set when deleted; text is then "". The record stays so the id cannot be reused. */
  deletedAt?: number;
  /**
   * A system line (author SYSTEM_AUTHOR): what happened, for clients to render with current
   * names; `text` says it in words as of when it was written (previews, older clients).
   */
  system?: SystemEvent;
  /**
   * The message this one replies to (any segment of the same conversation). Only the id: the
   * quote is read from the original, so nobody can put words in its author's mouth, and a
   * deleted original shows as deleted. Set when written; an edit keeps it.
   */
  replyTo?: string;
}

const MESSAGE_KEYS = new Set(["id", "author", "text", "createdAt", "editedAt", "deletedAt", "system", "replyTo"]);
const SYSTEM_KEYS: Record<SystemEvent["type"], string[]> = {
  created: ["type", "actor", "name", "userIds"],
  renamed: ["type", "actor", "name"],
  added: ["type", "actor", "userIds"],
  removed: ["type", "actor", "userIds"],
  left: ["type", "actor"],
  role: ["type", "actor", "userId", "role"],
};

const isUserId = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 64;

/** Why a value is not a valid SystemEvent, or null. */
function systemEventProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "bad system line";
  const v = value as Record<string, unknown>;
  const keys = SYSTEM_KEYS[v.type as SystemEvent["type"]];
  if (!keys || Object.hasOwn(Object.prototype, v.type as string)) return "bad system line";
  for (const k of Object.keys(v)) if (!keys.includes(k)) return "bad system line";
  if (keys.length !== Object.keys(v).length) return "bad system line";
  if (!isUserId(v.actor)) return "bad system line";
  if ("name" in v && (typeof v.name !== "string" || v.name.length === 0 || v.name.length > 80))
    return "bad system line";
  if (
    "userIds" in v &&
    (!Array.isArray(v.userIds) || v.userIds.length === 0 || v.userIds.length > 256 || !v.userIds.every(isUserId))
  )
    return "bad system line";
  if ("userId" in v && !isUserId(v.userId)) return "bad system line";
  if ("role" in v && v.role !== "admin" && v.role !== "member") return "bad system line";
  return null;
}
/** Client clocks drift: a createdAt may be this far in the future. Past times are always fine (offline writes). */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;
const EPOCH_2020 = 1577836800000;

/** Why a value is not a valid MessageRecord, or null when it is. Pure and cheap. */
export function messageRecordProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!MESSAGE_KEYS.has(k)) return `unknown field ${k}`;
  if (typeof v.id !== "string" || !MESSAGE_ID_PATTERN.test(v.id)) return "bad id";
  if (typeof v.author !== "string" || v.author.length === 0 || v.author.length > 64) return "bad author";
  if (typeof v.text !== "string" || v.text.length > MAX_MESSAGE_TEXT_LENGTH) return "bad text";
  if (!isTimestamp(v.createdAt)) return "bad createdAt";
  if (v.editedAt !== undefined && !isTimestamp(v.editedAt)) return "bad editedAt";
  if (v.deletedAt !== undefined) {
    if (!isTimestamp(v.deletedAt)) return "bad deletedAt";
    if (v.text !== "") return "deleted message keeps text";
  } else if (v.text.trim().length === 0) return "empty text";
  if (
    v.replyTo !== undefined &&
    (typeof v.replyTo !== "string" || !MESSAGE_ID_PATTERN.test(v.replyTo) || v.replyTo === v.id)
  )
    return "bad replyTo";
  // Only the server writes system lines, and everything it writes as SYSTEM_AUTHOR is one.
  if ((v.author === SYSTEM_AUTHOR) !== (v.system !== undefined)) return "system line by a user";
  if (v.system !== undefined) return v.replyTo === undefined ? systemEventProblem(v.system) : "bad system line";
  return null;
}

/** A time in ms since epoch that a record may carry: a safe integer after 2020. */
export function isTimestamp(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > EPOCH_2020;
}

export function isMessageRecord(value: unknown): value is MessageRecord {
  return messageRecordProblem(value) === null;
}

export function messagesMap(doc: Y.Doc): Y.Map<MessageRecord> {
  return doc.getMap<MessageRecord>(MESSAGES_ROOT);
}

export function inboxMap(doc: Y.Doc): Y.Map<ConversationSummary> {
  return doc.getMap<ConversationSummary>(INBOX_ROOT);
}

export function inboxReadsMap(doc: Y.Doc): Y.Map<ReadState> {
  return doc.getMap<ReadState>(INBOX_READS_ROOT);
}

export function inboxSettingsMap(doc: Y.Doc): Y.Map<boolean> {
  return doc.getMap<boolean>(INBOX_SETTINGS_ROOT);
}

/** A new message id: 128 random bits, URL-safe. */
export function newMessageId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Adds a message. Idempotent: a second call with the same id changes nothing and
 * returns the stored record.
 */
export function addMessage(
  doc: Y.Doc,
  input: { id: string; author: string; text: string; createdAt: number; replyTo?: string },
): MessageRecord {
  const map = messagesMap(doc);
  const existing = map.get(input.id);
  if (existing) return existing;
  const record: MessageRecord = { id: input.id, author: input.author, text: input.text, createdAt: input.createdAt };
  if (input.replyTo !== undefined) record.replyTo = input.replyTo;
  const problem = messageRecordProblem(record);
  if (problem) throw new TypeError(`invalid message: ${problem}`);
  map.set(input.id, record);
  return record;
}

/** Edits the text of one's own message. Returns false when it does not exist or is not the author's. */
export function editMessage(doc: Y.Doc, id: string, author: string, text: string, now: number): boolean {
  const map = messagesMap(doc);
  const existing = map.get(id);
  if (!existing || existing.author !== author || existing.deletedAt !== undefined) return false;
  const record: MessageRecord = { ...existing, text, editedAt: now };
  const problem = messageRecordProblem(record);
  if (problem) throw new TypeError(`invalid message: ${problem}`);
  map.set(id, record);
  return true;
}

/** Deletes one's own message, leaving a tombstone record. */
export function deleteMessage(doc: Y.Doc, id: string, author: string, now: number): boolean {
  const map = messagesMap(doc);
  const existing = map.get(id);
  if (!existing || existing.author !== author || existing.deletedAt !== undefined) return false;
  const { editedAt: _edited, ...rest } = existing;
  map.set(id, { ...rest, text: "", deletedAt: now });
  return true;
}

/** The messages of a document, oldest first (ties broken by id, so every replica agrees). */
export function listMessages(doc: Y.Doc): MessageRecord[] {
  return sortMessages(Array.from(messagesMap(doc).values()));
}

export function compareMessages(a: MessageRecord, b: MessageRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function sortMessages(records: MessageRecord[]): MessageRecord[] {
  return records.sort(compareMessages);
}

/**
 * Awareness state a client publishes on a conversation document. The relay
 * replaces `user` with the authenticated user and drops any other field.
 */
export interface AwarenessState {
  user: { id: string; name: string };
  /** ms since epoch of the last keystroke, or null when not typing. */
  typingAt: number | null;
}
export const TYPING_TIMEOUT_MS = 5000;
