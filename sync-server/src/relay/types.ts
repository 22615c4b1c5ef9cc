/**
 * The seams between the relay and the rest of the server. The relay knows the
 * y-websocket protocol and these interfaces, nothing about Hono or better-auth.
 */
import type { MessageRecord, SystemEvent } from "@messenger/shared";

/** The authenticated user behind one socket. */
export interface SocketUser {
  id: string;
  name: string;
  sessionId: string;
}

/** What a user may do with a document: write (conversation members), read (own inbox), or nothing. */
export type Access = "write" | "read" | null;

/** Answers whether sessions are still alive (not expired, revoked or past their absolute lifetime). */
export interface SessionLiveness {
  /** The subset of `sessionIds` that are still valid now. */
  alive(sessionIds: string[]): Promise<Set<string>>;
  /** Subscribes to sessions ending (sign-out, revoke); returns an unsubscribe function. */
  onEnded(listener: (sessionIds: string[]) => void): () => void;
}

/** A message write that did not come through a socket (HTTP, seeds). */
export interface MessageWriter {
  /**
   * Writes `text` as a new message by `authorId` into the conversation's head segment,
   * durably, and fans it out live like any socket write. Idempotent on `id`:
   * a second call returns the stored message with created=false.
   */
  postMessage(
    conversationId: string,
    authorId: string,
    input: { id: string; text: string; createdAt?: number; replyTo?: string },
  ): Promise<{ record: MessageRecord; segment: number; created: boolean }>;
  /**
   * Writes a system line (a membership change) into the conversation's timeline as the
   * server (author SYSTEM_AUTHOR), durably; `text` says it in words for previews.
   */
  postSystemLine(conversationId: string, event: SystemEvent, text: string): Promise<MessageRecord>;
}
