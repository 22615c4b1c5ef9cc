/**
 * Durable Yjs documents in PostgreSQL: an append-only update log per document numbered by
 * the document's own sequence (`doc_update`), folded into one snapshot (`doc_snapshot`) by
 * compaction, plus the owner of every Yjs client id used in a document (`doc_client`).
 */
import type pg from "pg";
import type { DocStore, StoredDoc } from "../types.js";
import type { Queryable } from "./pool.js";

/** Runs `fn` in a write transaction of the store (queued behind the relay's commits). */
export type WriteTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

// One statement, so the snapshot and the log are read at one instant: a compaction
// committing between two reads would otherwise hide the updates it folded.
const LOAD = `
  WITH snap AS (SELECT data, through_seq FROM doc_snapshot WHERE doc = $1)
  SELECT true AS snapshot, through_seq AS seq, data FROM snap
  UNION ALL
  SELECT false, u.seq, u.data FROM doc_update u
  WHERE u.doc = $1 AND u.seq > coalesce((SELECT through_seq FROM snap), 0)
  ORDER BY snapshot DESC, seq`;

export function createPgDocs(pool: pg.Pool, writeTransaction: WriteTransaction, clock: () => number): DocStore {
  return {
    async load(doc: string): Promise<StoredDoc> {
      const [log, owners] = await Promise.all([
        pool.query<{ snapshot: boolean; seq: number; data: Buffer }>(LOAD, [doc]),
        pool.query<{ client_id: number; user_id: string }>(`SELECT client_id, user_id FROM doc_client WHERE doc = $1`, [
          doc,
        ]),
      ]);
      let lastSeq = 0;
      let logLength = 0;
      const updates: Uint8Array[] = [];
      for (const row of log.rows) {
        updates.push(new Uint8Array(row.data));
        lastSeq = Math.max(lastSeq, row.seq);
        if (!row.snapshot) logLength += 1;
      }
      const clients = new Map(owners.rows.map((r) => [r.client_id, r.user_id]));
      return { updates, lastSeq, logLength, clients };
    },

    compact(doc: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
      return writeTransaction(async (client) => {
        await client.query(
          `INSERT INTO doc_snapshot (doc, data, through_seq, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (doc) DO UPDATE SET data = excluded.data, through_seq = excluded.through_seq,
             updated_at = excluded.updated_at`,
          [doc, snapshot, throughSeq, clock()],
        );
        await client.query(`DELETE FROM doc_update WHERE doc = $1 AND seq <= $2`, [doc, throughSeq]);
      });
    },
  };
}

/** Appends many updates in one statement (a duplicate (doc, seq) fails it, as one row would). */
export async function appendUpdates(
  db: Queryable,
  rows: Array<{ doc: string; seq: number; update: Uint8Array }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO doc_update (doc, seq, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])`,
    [
      rows.map((r) => r.doc),
      rows.map((r) => r.seq),
      rows.map((r) => Buffer.from(r.update.buffer, r.update.byteOffset, r.update.byteLength)),
    ],
  );
}

/** Records many client-id owners in one statement; a claim never moves, so the first owner stays. */
export async function claimClients(
  db: Queryable,
  rows: Array<{ doc: string; clientId: number; userId: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO doc_client (doc, client_id, user_id)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.doc), rows.map((r) => r.clientId), rows.map((r) => r.userId)],
  );
}
