/**
 * REST payloads under /api (see docs/api.md). Request bodies are validated by
 * the server with the zod schemas here; responses are typed for the client.
 */
import { z } from "zod";
import { MAX_MESSAGE_TEXT_LENGTH, MESSAGE_ID_PATTERN } from "./schema.js";

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

export interface ConversationSummary {
  id: string;
  memberIds: string[];
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
}

export interface MessagesPage {
  /** Oldest first. */
  messages: Message[];
  /** True when messages older than the first one here exist. */
  hasMore: boolean;
}

export const PREVIEW_LENGTH = 140;
export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

export const CreateConversationBody = z.strictObject({ userId: z.string().min(1).max(64) });
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

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
});
export type PostMessageBody = z.infer<typeof PostMessageBody>;

export const MessagesQuery = z.strictObject({
  before: z.string().regex(MESSAGE_ID_PATTERN).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
});

export const UsersQuery = z.strictObject({
  q: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
});

export const ActiveQuery = z.strictObject({ tz: z.string().max(64).default("UTC") });
