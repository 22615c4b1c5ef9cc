/**
 * Durable Yjs documents in SQLite: an append-only update log per document
 * (`doc_update`), folded into one snapshot (`doc_snapshot`) by compaction, plus
 * the owner of every Yjs client id used in a document (`doc_client`).
 *
 * Every method is synchronous (better-sqlite3) so the relay can run a whole tick's
 * batch, the message index and the client-id claims in ONE transaction:
 * `store.transaction(() => { store.append(…); store.claimClient(…); repo.indexMessages(…) })`.
 */
import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";

export interface StoredDoc {
  /** The snapshot (if any) followed by every later update, oldest first. */
  updates: Uint8Array[];
  /** Id of the newest row folded in (snapshot or update); 0 for a new document. */
  lastUpdateId: number;
  /** Updates in the log after the snapshot: what compaction would fold. */
  logLength: number;
}

export type DocStore = ReturnType<typeof createDocStore>;

export function createDocStore(db: Db, clock: Clock) {
  const snapshotOf = db.prepare<[string], { data: Buffer; through_update_id: number }>(
    `SELECT data, through_update_id FROM doc_snapshot WHERE doc = ?`,
  );
  const updatesAfter = db.prepare<[string, number], { id: number; data: Buffer }>(
    `SELECT id, data FROM doc_update WHERE doc = ? AND id > ? ORDER BY id`,
  );
  const insertUpdate = db.prepare<[string, Uint8Array]>(`INSERT INTO doc_update (doc, data) VALUES (?, ?)`);
  const deleteThrough = db.prepare<[string, number]>(`DELETE FROM doc_update WHERE doc = ? AND id <= ?`);
  const upsertSnapshot = db.prepare<[string, Uint8Array, number, number]>(
    `INSERT INTO doc_snapshot (doc, data, through_update_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (doc) DO UPDATE SET data = excluded.data, through_update_id = excluded.through_update_id,
       updated_at = excluded.updated_at`,
  );
  const clientsOf = db.prepare<[string], { client_id: number; user_id: string }>(
    `SELECT client_id, user_id FROM doc_client WHERE doc = ?`,
  );
  // A claim never moves: ON CONFLICT keeps the first owner.
  const insertClient = db.prepare<[string, number, string]>(
    `INSERT INTO doc_client (doc, client_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const exists = db.prepare<[string, string], { one: number }>(
    `SELECT 1 AS one FROM doc_snapshot WHERE doc = ? UNION ALL SELECT 1 FROM doc_update WHERE doc = ? LIMIT 1`,
  );

  return {
    /** Runs `fn` in one immediate transaction (nested calls join the outer one). */
    transaction<T>(fn: () => T): T {
      return db.inTransaction ? fn() : db.transaction(fn).immediate();
    },

    /** True when anything was ever stored for `doc`. */
    has(doc: string): boolean {
      return exists.get(doc, doc) !== undefined;
    },

    load(doc: string): StoredDoc {
      const snapshot = snapshotOf.get(doc);
      const after = snapshot?.through_update_id ?? 0;
      const rows = updatesAfter.all(doc, after);
      const updates: Uint8Array[] = snapshot ? [new Uint8Array(snapshot.data)] : [];
      for (const r of rows) updates.push(new Uint8Array(r.data));
      const last = rows.length > 0 ? (rows[rows.length - 1] as { id: number }).id : after;
      return { updates, lastUpdateId: last, logLength: rows.length };
    },

    /** Appends one update to the log; returns its row id. */
    append(doc: string, update: Uint8Array): number {
      return Number(insertUpdate.run(doc, update).lastInsertRowid);
    },

    /**
     * Replaces everything through `throughUpdateId` with `snapshot` (the full state
     * as one update). Safe to call with the id of the newest appended row only.
     */
    compact(doc: string, snapshot: Uint8Array, throughUpdateId: number): void {
      this.transaction(() => {
        upsertSnapshot.run(doc, snapshot, throughUpdateId, clock());
        deleteThrough.run(doc, throughUpdateId);
      });
    },

    /** Owners of the Yjs client ids used in `doc`. */
    clients(doc: string): Map<number, string> {
      return new Map(clientsOf.all(doc).map((r) => [r.client_id, r.user_id]));
    },

    claimClient(doc: string, clientId: number, userId: string): void {
      insertClient.run(doc, clientId, userId);
    },
  };
}
