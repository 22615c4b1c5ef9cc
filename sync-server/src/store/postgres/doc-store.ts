/**
 * Durable Yjs documents in PostgreSQL: an append-only update log per document numbered by
 * the document's own sequence (`doc_update`), folded into one snapshot (`doc_snapshot`) by
 * compaction, plus the owner of every Yjs client id used in a document (`doc_client`).
 */
import type pg from "pg";
import { CommitConflict } from "../conflict.js";
import type { DocStore, DocTail, StoredDoc } from "../types.js";
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

// The same at one instant: the snapshot only when it folds updates this copy lacks.
const SINCE = `
  WITH snap AS (SELECT data, through_seq FROM doc_snapshot WHERE doc = $1)
  SELECT true AS snapshot, through_seq AS seq, data FROM snap WHERE through_seq > $2
  UNION ALL
  SELECT false, u.seq, u.data FROM doc_update u
  WHERE u.doc = $1 AND u.seq > greatest($2, coalesce((SELECT through_seq FROM snap), 0))
  ORDER BY snapshot DESC, seq`;

const clientsOf = (pool: pg.Pool, doc: string) =>
  pool.query<{ client_id: string | number; user_id: string }>(
    `SELECT client_id, user_id FROM doc_client WHERE doc = $1`,
    [doc],
  );

export function createPgDocs(pool: pg.Pool, writeTransaction: WriteTransaction, clock: () => number): DocStore {
  return {
    async load(doc: string): Promise<StoredDoc> {
      const [log, owners] = await Promise.all([
        pool.query<{ snapshot: boolean; seq: number; data: Buffer }>(LOAD, [doc]),
        clientsOf(pool, doc),
      ]);
      let lastSeq = 0;
      let logLength = 0;
      const updates: Uint8Array[] = [];
      for (const row of log.rows) {
        updates.push(new Uint8Array(row.data));
        lastSeq = Math.max(lastSeq, row.seq);
        if (!row.snapshot) logLength += 1;
      }
      const clients = new Map(owners.rows.map((r) => [Number(r.client_id), r.user_id]));
      return { updates, lastSeq, logLength, clients };
    },

    async since(doc: string, afterSeq: number): Promise<DocTail> {
      const [log, owners] = await Promise.all([
        pool.query<{ seq: string | number; data: Buffer }>(SINCE, [doc, afterSeq]),
        clientsOf(pool, doc),
      ]);
      let lastSeq = afterSeq;
      const updates: Uint8Array[] = [];
      for (const row of log.rows) {
        updates.push(new Uint8Array(row.data));
        lastSeq = Math.max(lastSeq, Number(row.seq));
      }
      return { updates, lastSeq, clients: new Map(owners.rows.map((r) => [Number(r.client_id), r.user_id])) };
    },

    compact(doc: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
      return writeTransaction(async (client) => {
        await client.query(
          `INSERT INTO doc_snapshot (doc, data, through_seq, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (doc) DO UPDATE SET data = excluded.data, through_seq = excluded.through_seq,
             updated_at = excluded.updated_at WHERE doc_snapshot.through_seq < excluded.through_seq`,
          [doc, snapshot, throughSeq, clock()],
        );
        await client.query(`DELETE FROM doc_update WHERE doc = $1 AND seq <= $2`, [doc, throughSeq]);
      });
    },
  };
}

/**
 * Appends many updates in one statement. A (doc, seq) already taken (another process
 * committed that document first) fails it with a `sequence` CommitConflict.
 */
export async function appendUpdates(
  db: Queryable,
  rows: Array<{ doc: string; seq: number; update: Uint8Array }>,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await db.query(
      `INSERT INTO doc_update (doc, seq, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])`,
      [
        rows.map((r) => r.doc),
        rows.map((r) => r.seq),
        rows.map((r) => Buffer.from(r.update.buffer, r.update.byteOffset, r.update.byteLength)),
      ],
    );
  } catch (error) {
    const e = error as { code?: string; constraint?: string; detail?: string };
    if (e.code === "23505" && e.constraint === "doc_update_pkey") {
      const doc = /\(doc, seq\)=\((.*), \d+\)/.exec(e.detail ?? "")?.[1] ?? null;
      throw new CommitConflict("sequence", doc, null, `another process committed ${doc ?? "a document"} first`);
    }
    throw error;
  }
}

/**
 * Records many client-id owners in one statement; a claim never moves, so the first owner
 * stays, and a claim another user already holds (another process let them use the id first)
 * fails the commit with a `client` CommitConflict. Two processes claiming one id at once: the
 * second INSERT waits for the first transaction on the key, then sees its row.
 */
export async function claimClients(
  db: Queryable,
  rows: Array<{ doc: string; clientId: number; userId: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  const { rows: taken } = await db.query<{ doc: string; client_id: number; claimant: string }>(
    `WITH claim AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(doc, client_id, user_id)),
     ins AS (INSERT INTO doc_client (doc, client_id, user_id) SELECT * FROM claim ON CONFLICT DO NOTHING RETURNING doc, client_id)
     SELECT c.doc, c.client_id, c.user_id AS claimant FROM claim c
     WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.doc = c.doc AND ins.client_id = c.client_id)
       AND NOT EXISTS (SELECT 1 FROM doc_client d WHERE d.doc = c.doc AND d.client_id = c.client_id AND d.user_id = c.user_id)`,
    [rows.map((r) => r.doc), rows.map((r) => r.clientId), rows.map((r) => r.userId)],
  );
  if (taken.length === 0) return;
  // A row committed by another transaction while this statement waited is not in the
  // statement's snapshot: read the owners again, in a new statement, before refusing.
  const { rows: owners } = await db.query<{ doc: string; client_id: number; user_id: string }>(
    `SELECT d.doc, d.client_id, d.user_id FROM doc_client d
     JOIN unnest($1::text[], $2::bigint[]) AS t(doc, client_id) ON d.doc = t.doc AND d.client_id = t.client_id`,
    [taken.map((r) => r.doc), taken.map((r) => r.client_id)],
  );
  const owner = new Map(owners.map((o) => [`${o.doc}\u0000${o.client_id}`, o.user_id]));
  const lost = taken.find((t) => owner.get(`${t.doc}\u0000${t.client_id}`) !== t.claimant);
  if (lost)
    throw new CommitConflict(
      "client",
      lost.doc,
      lost.claimant,
      `client id ${lost.client_id} of ${lost.doc} already belongs to another user`,
    );
}
