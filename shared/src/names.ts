/**
 * Document names. Every name a client opens is built and parsed here, so the
 * client, the relay and the docs agree. A name travels in the socket URL path
 * (`/sync/<name>`), so it uses only URL-safe characters.
 *
 *   conversation.<conversationId>.<segment>  one segment of a conversation's messages
 *   inbox.<userId>                           a user's conversation summaries (server-written)
 */

/** Ids minted by the server or better-auth: URL-safe, bounded. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_DOC_NAME_LENGTH = 160;

export type DocName =
  | { kind: "conversation"; conversationId: string; segment: number }
  | { kind: "inbox"; userId: string };

export function conversationDocName(conversationId: string, segment: number): string {
  if (!ID_PATTERN.test(conversationId)) throw new TypeError(`bad conversation id: ${conversationId}`);
  if (!Number.isSafeInteger(segment) || segment < 0) throw new TypeError(`bad segment: ${segment}`);
  return `conversation.${conversationId}.${segment}`;
}

export function inboxDocName(userId: string): string {
  if (!ID_PATTERN.test(userId)) throw new TypeError(`bad user id: ${userId}`);
  return `inbox.${userId}`;
}

/** Parses a document name; returns null for anything that is not exactly a name built above. */
export function parseDocName(name: string): DocName | null {
  if (name.length > MAX_DOC_NAME_LENGTH) return null;
  const parts = name.split(".");
  if (parts[0] === "conversation" && parts.length === 3) {
    const [, conversationId, seg] = parts as [string, string, string];
    if (!ID_PATTERN.test(conversationId) || !/^(0|[1-9][0-9]{0,8})$/.test(seg)) return null;
    return { kind: "conversation", conversationId, segment: Number(seg) };
  }
  if (parts[0] === "inbox" && parts.length === 2) {
    const userId = parts[1] as string;
    if (!ID_PATTERN.test(userId)) return null;
    return { kind: "inbox", userId };
  }
  return null;
}
