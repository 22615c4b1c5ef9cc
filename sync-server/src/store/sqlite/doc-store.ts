/**
 * Durable Yjs documents in SQLite: an append-only update log per document
 * (`doc_update`, numbered per document), folded into one snapshot (`doc_snapshot`)
 * by compaction, plus the owner of every Yjs client id used in a document (`doc_client`).
 * Synchronous (better-sqlite3); sqlite-store.ts puts the async Store face on it.
 */
import type { Clock } from "../../clock.js";
import { CommitConflict } from "../conflict.js";
import type { DocTail, StoredDoc } from "../types.js";
import type { Db } from "./database.js";

export type SqliteDocs = ReturnType<typeof createSqliteDocs>;

export function createSqliteDocs(db: Db, clock: Clock) {
  const snapshotOf = db.prepare<[string], { data: Buffer; through_seq: number }>(
    `SELECT data, through_seq FROM doc_snapshot WHERE doc = ?`,
  );
  const updatesAfter = db.prepare<[string, number], { seq: number; data: Buffer }>(
    `SELECT seq, data FROM doc_update WHERE doc = ? AND seq > ? ORDER BY seq`,
  );
  const insertUpdate = db.prepare<[string, number, Uint8Array]>(
    `INSERT INTO doc_update (doc, seq, data) VALUES (?, ?, ?)`,
  );
  const deleteThrough = db.prepare<[string, number]>(`DELETE FROM doc_update WHERE doc = ? AND seq <= ?`);
  const upsertSnapshot = db.prepare<[string, Uint8Array, number, number]>(
    `INSERT INTO doc_snapshot (doc, data, through_seq, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (doc) DO UPDATE SET data = excluded.data, through_seq = excluded.through_seq,
       updated_at = excluded.updated_at WHERE doc_snapshot.through_seq < excluded.through_seq`,
  );
  const clientsOf = db.prepare<[string], { client_id: number; user_id: string }>(
    `SELECT client_id, user_id FROM doc_client WHERE doc = ?`,
  );
  // A claim never moves: ON CONFLICT keeps the first owner.
  const insertClient = db.prepare<[string, number, string]>(
    `INSERT INTO doc_client (doc, client_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );

  const ownerOf = db.prepare<[string, number], { user_id: string }>(
    `SELECT user_id FROM doc_client WHERE doc = ? AND client_id = ?`,
  );

  return {
    load(doc: string): StoredDoc {
      const snapshot = snapshotOf.get(doc);
      const after = snapshot?.through_seq ?? 0;
      const rows = updatesAfter.all(doc, after);
      const updates: Uint8Array[] = snapshot ? [new Uint8Array(snapshot.data)] : [];
      for (const r of rows) updates.push(new Uint8Array(r.data));
      const last = rows.length > 0 ? (rows[rows.length - 1] as { seq: number }).seq : after;
      const clients = new Map(clientsOf.all(doc).map((r) => [r.client_id, r.user_id]));
      return { updates, lastSeq: last, logLength: rows.length, clients };
    },

    since(doc: string, afterSeq: number): DocTail {
      const snapshot = snapshotOf.get(doc);
      const folded = snapshot !== undefined && snapshot.through_seq > afterSeq;
      const rows = updatesAfter.all(doc, folded ? snapshot.through_seq : afterSeq);
      const updates: Uint8Array[] = folded ? [new Uint8Array(snapshot.data)] : [];
      for (const r of rows) updates.push(new Uint8Array(r.data));
      const last =
        rows.length > 0 ? (rows[rows.length - 1] as { seq: number }).seq : folded ? snapshot.through_seq : afterSeq;
      const clients = new Map(clientsOf.all(doc).map((r) => [r.client_id, r.user_id]));
      return { updates, lastSeq: last, clients };
    },

    append(doc: string, seq: number, update: Uint8Array): void {
      insertUpdate.run(doc, seq, update);
    },

    /** Call inside a transaction. */
    compact(doc: string, snapshot: Uint8Array, throughSeq: number): void {
      upsertSnapshot.run(doc, snapshot, throughSeq, clock());
      deleteThrough.run(doc, throughSeq);
    },

    /** A client id another user holds fails the commit, as in the PostgreSQL store. */
    claimClient(doc: string, clientId: number, userId: string): void {
      if (insertClient.run(doc, clientId, userId).changes > 0) return;
      const owner = ownerOf.get(doc, clientId)?.user_id;
      if (owner !== userId)
        throw new CommitConflict(
          "client",
          doc,
          userId,
          `client id ${clientId} of ${doc} already belongs to another user`,
        );
    },
  };
}
