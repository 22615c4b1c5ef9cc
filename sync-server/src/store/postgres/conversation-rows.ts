/**
 * Reading conversations and messages from PostgreSQL rows, shared by the conversation
 * store (on the pool) and the relay's commit (on its transaction's client).
 */
import { type ConversationSummary, conversationDocName, PREVIEW_LENGTH } from "@messenger/shared";
import type { Queryable } from "./pool.js";

export { type MessageRow, toMessage } from "../rows.js";

import { type ReceiptRow, toReceipts } from "../rows.js";

export interface ConversationRow {
  id: string;
  kind: "direct" | "group";
  name: string | null;
  admins: string[];
  /** Each member's marks as JSON rows (a read mark only for members with read receipts on). */
  receipts: ReceiptRow[];
  head_segment: number;
  last_activity_at: number;
  created_at: number;
  members: string[];
  last_id: string | null;
  last_author_id: string | null;
  last_text: string | null;
  last_created_at: number | null;
  last_deleted_at: number | null;
}

/** Members' marks, the read mark hidden for members who turned read receipts off. */
export const RECEIPTS_JSON = `
  coalesce((SELECT json_agg(json_build_object(
      'u', m.user_id,
      'ra', CASE WHEN coalesce(us.read_receipts, true) THEN m.read_at END,
      'ri', CASE WHEN coalesce(us.read_receipts, true) THEN m.read_id END,
      'da', m.delivered_at, 'di', m.delivered_id))
    FROM conversation_member m LEFT JOIN user_setting us ON us.user_id = m.user_id
    WHERE m.conversation_id = c.id), '[]'::json)`;

/** A conversation with its members and its last message, in one statement; add WHERE / JOIN / ORDER BY. */
export const SELECT_CONVERSATION = `
  SELECT c.id, c.kind, c.name, c.head_segment, c.head_count, c.last_activity_at, c.created_at,
         ARRAY(SELECT m.user_id FROM conversation_member m WHERE m.conversation_id = c.id) AS members,
         ARRAY(SELECT m.user_id FROM conversation_member m WHERE m.conversation_id = c.id AND m.role <> 'member'
               ORDER BY m.role = 'owner' DESC, m.joined_at, m.user_id) AS admins,
         ${RECEIPTS_JSON} AS receipts,
         lm.id AS last_id, lm.author_id AS last_author_id, lm.text AS last_text,
         lm.created_at AS last_created_at, lm.deleted_at AS last_deleted_at
  FROM conversation c
  LEFT JOIN message lm ON lm.conversation_id = c.id AND lm.id = c.last_message_id`;

export const MESSAGE_COLUMNS = `conversation_id, id, segment, author_id, text, created_at, edited_at, deleted_at, reply_to`;

export function toSummary(row: ConversationRow): ConversationSummary {
  // The client opens the head segment and the one before it.
  const documents: string[] = [];
  for (let s = row.head_segment; s >= 0 && documents.length < 2; s--) documents.push(conversationDocName(row.id, s));
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    memberIds: [...row.members].sort(),
    adminIds: row.admins,
    receipts: toReceipts(row.receipts),
    headSegment: row.head_segment,
    documents,
    lastMessage:
      row.last_id !== null
        ? {
            id: row.last_id,
            authorId: row.last_author_id as string,
            text: row.last_deleted_at ? "" : (row.last_text as string).slice(0, PREVIEW_LENGTH),
            createdAt: row.last_created_at as number,
            deleted: row.last_deleted_at !== null,
          }
        : null,
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
  };
}

export async function readConversation(db: Queryable, id: string): Promise<ConversationSummary | null> {
  const { rows } = await db.query<ConversationRow>(`${SELECT_CONVERSATION} WHERE c.id = $1`, [id]);
  return rows[0] ? toSummary(rows[0]) : null;
}

export async function readConversationsWhere(
  db: Queryable,
  clause: string,
  values: unknown[],
): Promise<ConversationSummary[]> {
  const { rows } = await db.query<ConversationRow>(`${SELECT_CONVERSATION} ${clause}`, values);
  return rows.map(toSummary);
}
