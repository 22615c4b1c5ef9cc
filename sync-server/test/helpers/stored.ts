/**
 * What a test's PostgreSQL database holds, read directly rather than through a server: the
 * message index, a document as a process would load it, and the owners of its Yjs client ids.
 * Closed when the test finishes.
 */
import pg from "pg";
import { onTestFinished } from "vitest";
import * as Y from "yjs";

// One statement, so the snapshot and the log are read at one instant (as the store loads).
const STORED_DOCUMENT = `
  WITH snap AS (SELECT data, through_seq FROM doc_snapshot WHERE doc = $1)
  SELECT true AS snapshot, through_seq AS seq, data FROM snap
  UNION ALL
  SELECT false, u.seq, u.data FROM doc_update u
  WHERE u.doc = $1 AND u.seq > coalesce((SELECT through_seq FROM snap), 0)
  ORDER BY snapshot DESC, seq`;

export interface IndexedRow {
  id: string;
  author: string;
  text: string;
  segment: number;
}

/** Reads the test's database directly: what is committed, whatever the processes say. */
export function openDatabase(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  onTestFinished(() => pool.end());
  return {
    /** The message index of a conversation, one row per stored row. */
    async index(conversationId: string): Promise<IndexedRow[]> {
      const { rows } = await pool.query<IndexedRow>(
        `SELECT id, author_id AS author, text, segment FROM message WHERE conversation_id = $1`,
        [conversationId],
      );
      return rows;
    },
    /** The document as a process would load it: snapshot plus the later updates. */
    async document(name: string): Promise<Y.Doc> {
      const { rows } = await pool.query<{ data: Buffer }>(STORED_DOCUMENT, [name]);
      const doc = new Y.Doc();
      for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
      return doc;
    },
    /** Owner of each Yjs client id claimed in a document. */
    async owners(name: string): Promise<Map<number, string>> {
      const { rows } = await pool.query<{ client_id: string; user_id: string }>(
        `SELECT client_id, user_id FROM doc_client WHERE doc = $1`,
        [name],
      );
      return new Map(rows.map((r) => [Number(r.client_id), r.user_id]));
    },
  };
}
export type Database = ReturnType<typeof openDatabase>;
