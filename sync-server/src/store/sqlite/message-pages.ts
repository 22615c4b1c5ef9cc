/** Pages of a conversation's messages from the SQLite message index (the shape: ../message-pages.ts). */
import type { MessagesPage } from "@messenger/shared";
import { anchorId, assemblePage, pageSpan } from "../message-pages.js";
import type { MessageRow } from "../rows.js";
import type { PageAnchor } from "../types.js";
import type { Db } from "./database.js";

export function createSqlitePages(db: Db) {
  const byId = db.prepare<[string, string], MessageRow>(`SELECT * FROM message WHERE conversation_id = ? AND id = ?`);
  const newest = db.prepare<[string, number], MessageRow>(
    `SELECT * FROM message WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const older = db.prepare<{ c: string; at: number; id: string; n: number }, MessageRow>(
    `SELECT * FROM message WHERE conversation_id = @c AND (created_at < @at OR (created_at = @at AND id < @id))
     ORDER BY created_at DESC, id DESC LIMIT @n`,
  );
  const newer = db.prepare<{ c: string; at: number; id: string; n: number }, MessageRow>(
    `SELECT * FROM message WHERE conversation_id = @c AND (created_at > @at OR (created_at = @at AND id > @id))
     ORDER BY created_at, id LIMIT @n`,
  );

  return {
    messagesPage(conversationId: string, at: PageAnchor | undefined, limit: number): MessagesPage | null {
      const span = pageSpan(at, limit);
      const id = anchorId(at);
      if (id === undefined) return assemblePage(at, limit, newest.all(conversationId, span.older + 1), null, []);
      const anchor = byId.get(conversationId, id);
      if (!anchor) return null;
      // An `around` page reads both sides even when it shows none of one: it tells whether more exist.
      const both = at !== undefined && "around" in at;
      const from = { c: conversationId, at: anchor.created_at, id: anchor.id };
      const before = span.older > 0 || both ? older.all({ ...from, n: span.older + 1 }) : [];
      const after = span.newer > 0 || both ? newer.all({ ...from, n: span.newer + 1 }) : [];
      return assemblePage(at, limit, before, anchor, after);
    },
  };
}
