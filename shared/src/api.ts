/**
 * REST payloads under /api (see docs/api.md). Request bodies are validated by
 * the server with the zod schemas here; responses are typed for the client.
 */
import { z } from "zod";
import type { ReactionCount } from "./reactions.js";
import { MAX_MESSAGE_TEXT_LENGTH, MESSAGE_ID_PATTERN } from "./schema.js";
import { MAX_SEARCH_QUERY_LENGTH } from "./search.js";

export interface UserSummary {
  id: string;
  name: string;
  username: string | null;
  online: boolean;
  /** ms since epoch when the user's last socket closed; null if never seen. */
  lastSeenAt: number | null;
}

export interface UsersPage {
  users: UserSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface MessagePreview {
  id: string;
  authorId: string;
  /** First characters of the text ("" when deleted). */
  text: string;
  createdAt: number;
  deleted: boolean;
}

export type ConversationKind = "direct" | "group";

/** A position in a conversation's timeline: the newest message read or received (order: createdAt, then id). */
export interface MessageMark {
  at: number;
  id: string;
}

/** How far a member has received and read (`read` is null while they keep read receipts off). */
export interface MemberReceipt {
  userId: string;
  delivered: MessageMark | null;
  read: MessageMark | null;
}

/** The user's own reading of one conversation, in their inbox only (`inboxReadsMap`), on every device. */
export interface ReadState {
  /** Messages by others after `read` (not counting deleted ones and system lines). */
  unread: number;
  read: MessageMark | null;
  /** I muted the conversation (PUT /api/conversations/:id/mute): no notifications; it still counts unread. */
  muted: boolean;
}

/** Is `a` after `b` in timeline order? */
export const isAfter = (a: MessageMark, b: MessageMark | null): boolean =>
  b === null || a.at > b.at || (a.at === b.at && a.id > b.id);

export interface ConversationSummary {
  id: string;
  /** "direct": one per pair of users, two members. "group": a name and 3–256 members. */
  kind: ConversationKind;
  /** The group's name; null for a direct conversation. */
  name: string | null;
  memberIds: string[];
  /**
   * Members who may rename the group and add or remove members: its creator (the owner, first)
   * and the admins the owner named. Empty for a direct conversation.
   */
  adminIds: string[];
  /** Each member's delivery and read marks: a message of mine is delivered / read by whom. */
  receipts: MemberReceipt[];
  /** The newest segment: the document a client opens for live messages. */
  headSegment: number;
  /** Document names a client opens for this conversation, newest first. */
  documents: string[];
  lastMessage: MessagePreview | null;
  /** ms since epoch of the last message, or of creation when there is none. */
  lastActivityAt: number;
  createdAt: number;
}

export interface Message {
  id: string;
  conversationId: string;
  authorId: string;
  text: string;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  segment: number;
  /** The message this one replies to (`MessageRecord.replyTo`), or null. */
  replyTo: string | null;
  /** Who reacted with what (`countReactions` order); empty when nobody did. */
  reactions: ReactionCount[];
}

export interface MessagesPage {
  /** Oldest first. */
  messages: Message[];
  /** True when messages older than the first one here exist. */
  hasMore: boolean;
  /** True when messages newer than the last one here exist (always for a `before` page: its anchor is newer; false for the newest page). */
  hasNewer: boolean;
}

/** One message found by a search, in a conversation the caller is a member of. */
export interface SearchHit {
  conversationId: string;
  message: Message;
}

export interface SearchPage {
  /** Newest first. Highlight with `highlightRanges(text, searchTokens(q))`. */
  results: SearchHit[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 50;

export const SearchQuery = z.strictObject({
  q: z.string().max(MAX_SEARCH_QUERY_LENGTH),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT),
});

export const PREVIEW_LENGTH = 140;
export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

export const CreateConversationBody = z.strictObject({ userId: z.string().min(1).max(64) });
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

/** A group has its creator and at least GROUP_MIN_OTHERS, at most GROUP_MAX_OTHERS other members. */
export const GROUP_MIN_OTHERS = 2;
export const GROUP_MAX_OTHERS = 255;
export const GROUP_NAME_MAX_LENGTH = 80;

const UserId = z.string().min(1).max(64);
const GroupName = z
  .string()
  .trim()
  .min(1, "the name must not be empty")
  .max(GROUP_NAME_MAX_LENGTH)
  .refine(
    (n) => ![...n].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
    "the name must not contain control characters",
  );

export const CreateGroupBody = z.strictObject({
  name: GroupName,
  /** The other members (the creator is added as the owner). */
  memberIds: z.array(UserId).min(GROUP_MIN_OTHERS).max(GROUP_MAX_OTHERS),
});
export type CreateGroupBody = z.infer<typeof CreateGroupBody>;

export const RenameGroupBody = z.strictObject({ name: GroupName });
export type RenameGroupBody = z.infer<typeof RenameGroupBody>;

export const AddMembersBody = z.strictObject({ userIds: z.array(UserId).min(1).max(GROUP_MAX_OTHERS) });
export type AddMembersBody = z.infer<typeof AddMembersBody>;

/** Marks a conversation read, or received on a device, up to this message (never moves back). */
export const MarkBody = z.strictObject({ messageId: z.string().regex(MESSAGE_ID_PATTERN) });
export type MarkBody = z.infer<typeof MarkBody>;

/** Mutes or unmutes a conversation for me, on every device. */
export const MuteBody = z.strictObject({ muted: z.boolean() });
export type MuteBody = z.infer<typeof MuteBody>;

export interface Settings {
  /** Off: others do not see when I read, and I do not see when they read (delivery still shows). */
  readReceipts: boolean;
}
export const SettingsBody = z.strictObject({ readReceipts: z.boolean() });
export type SettingsBody = z.infer<typeof SettingsBody>;

/** The owner names admins, or takes the role back. */
export const SetRoleBody = z.strictObject({ role: z.enum(["admin", "member"]) });
export type SetRoleBody = z.infer<typeof SetRoleBody>;

export const PostMessageBody = z.strictObject({
  id: z.string().regex(MESSAGE_ID_PATTERN),
  text: z
    .string()
    .max(MAX_MESSAGE_TEXT_LENGTH)
    .refine((t) => t.trim().length > 0, "text must not be empty"),
  /**
   * The createdAt of the same record in the client's Yjs document (ms), so a message both posted
   * here and later synced from that document is one value. At most MAX_CLOCK_SKEW_MS ahead of the server.
   */
  createdAt: z.number().int().positive().optional(),
  /** The message this one replies to, in the same conversation. */
  replyTo: z.string().regex(MESSAGE_ID_PATTERN).optional(),
});
export type PostMessageBody = z.infer<typeof PostMessageBody>;

/**
 * A page of a conversation: the newest messages (no cursor), older than `before`, newer than
 * `after`, or `around` one message (it and up to `limit` / 2 on each side: where a search
 * result or a reply's quote opens the conversation). At most one of the three.
 */
export const MessagesQuery = z
  .strictObject({
    before: z.string().regex(MESSAGE_ID_PATTERN).optional(),
    after: z.string().regex(MESSAGE_ID_PATTERN).optional(),
    around: z.string().regex(MESSAGE_ID_PATTERN).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  })
  .refine((q) => [q.before, q.after, q.around].filter((v) => v !== undefined).length <= 1, {
    message: "ask for at most one of before, after and around",
  });

export const UsersQuery = z.strictObject({
  q: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
});

export const ActiveQuery = z.strictObject({ tz: z.string().max(64).default("UTC") });
