/**
 * The SQLite Store: one better-sqlite3 connection (WAL, synchronous=FULL), the data
 * directory locked to this process, and the async Store face on synchronous statements.
 *
 * Transactions are `BEGIN IMMEDIATE … COMMIT` around an async function, chained so one
 * runs at a time. Everything inside answers synchronously, so a transaction ends within
 * the task that started it and no I/O callback runs in the middle of it.
 */
import type { Clock } from "../../clock.js";
import type { CommitTx, IndexResult, Store } from "../types.js";
import { createSqliteAccounts } from "./accounts.js";
import { createSqliteConversations } from "./conversation-store.js";
import { openSqliteFile } from "./data-dir.js";
import { createSqliteDocs } from "./doc-store.js";
import { createSqliteGroups } from "./group-store.js";
import { MIGRATIONS } from "./migrations.js";

export interface SqliteStoreOptions {
  dataDir: string;
  databasePath: string;
  clock: Clock;
}

/** Async face of a synchronous call: a thrown error becomes a rejection. */
function later<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const file = openSqliteFile(options);
  const { db } = file;
  const docs = createSqliteDocs(db, options.clock);
  const conversations = createSqliteConversations(db, options.clock);
  const groups = createSqliteGroups(db, options.clock, (id) => conversations.get(id));
  const accounts = createSqliteAccounts(db);
  let queue: Promise<unknown> = Promise.resolve();
  let exclusiveQueue: Promise<unknown> = Promise.resolve();

  const tx: CommitTx = {
    append: (doc, seq, update) => later(() => docs.append(doc, seq, update)),
    claimClient: (doc, clientId, userId) => later(() => docs.claimClient(doc, clientId, userId)),
    indexMessages: (conversationId, segment, records) =>
      later(() => conversations.indexMessages(conversationId, segment, records)),
    indexMessagesBatch: (entries) =>
      later(() => {
        const results = new Map<string, IndexResult>();
        for (const e of entries) {
          const result = conversations.indexMessages(e.conversationId, e.segment, e.records);
          if (!result) continue;
          // Several entries of one conversation: the last summary, every member's latest marks.
          const before = results.get(e.conversationId)?.marks ?? [];
          const marks = [...before.filter((m) => !result.marks.some((n) => n.userId === m.userId)), ...result.marks];
          results.set(e.conversationId, { ...result, marks });
        }
        return results;
      }),
    indexReactions: (entries) => later(() => conversations.indexReactions(entries)),
    conversation: (id) => later(() => conversations.get(id)),
  };

  const runTransaction = async <T>(fn: (tx: CommitTx) => Promise<T>): Promise<T> => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = await fn(tx);
      db.exec("COMMIT");
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };

  return {
    kind: "sqlite",
    authDatabase: db,
    docs: {
      load: (doc) => later(() => docs.load(doc)),
      since: (doc, afterSeq) => later(() => docs.since(doc, afterSeq)),
      compact: (doc, snapshot, throughSeq) =>
        later(() => db.transaction(() => docs.compact(doc, snapshot, throughSeq)).immediate()),
    },
    conversations: {
      getOrCreateDirect: (a, b) => later(() => conversations.getOrCreateDirect(a, b)),
      get: (id) => later(() => conversations.get(id)),
      isMember: (c, u) => later(() => conversations.isMember(c, u)),
      headForMember: (c, u) => later(() => conversations.headForMember(c, u)),
      memberIds: (c) => later(() => conversations.memberIds(c)),
      listForUser: (u) => later(() => conversations.listForUser(u)),
      findMessage: (c, id) => later(() => conversations.findMessage(c, id)),
      messagesPage: (c, at, limit) => later(() => conversations.messagesPage(c, at, limit)),
      search: (u, tokens, cursor, limit) => later(() => conversations.search(u, tokens, cursor, limit)),
      segmentsOf: (c, ids) => later(() => conversations.segmentsOf(c, ids)),
      markRead: (c, u, m) => later(() => conversations.markRead(c, u, m)),
      markDelivered: (c, u, m) => later(() => conversations.markDelivered(c, u, m)),
      readsForUser: (u) => later(() => conversations.readsForUser(u)),
      setMuted: (c, u, muted) => later(() => conversations.setMuted(c, u, muted)),
    },
    settings: {
      readReceipts: (u) => later(() => conversations.readReceipts(u)),
      setReadReceipts: (u, on) => later(() => conversations.setReadReceipts(u, on)),
    },
    groups: {
      create: (owner, name, members) => later(() => groups.create(owner, name, members)),
      rename: (id, name) => later(() => groups.rename(id, name)),
      addMembers: (id, users) => later(() => groups.addMembers(id, users)),
      removeMember: (id, user) => later(() => groups.removeMember(id, user)),
      setRole: (id, user, role) => later(() => groups.setRole(id, user, role)),
      role: (id, user) => later(() => groups.role(id, user)),
    },
    users: {
      directory: (q) => later(() => accounts.users.directory(q)),
      byIds: (ids) => later(() => accounts.users.byIds(ids)),
      exists: (id) => later(() => accounts.users.exists(id)),
      idBy: (column, value) => later(() => accounts.users.idBy(column, value)),
      count: () => later(() => accounts.users.count()),
    },
    sessions: {
      times: (ids) => later(() => accounts.sessions.times(ids)),
      all: () => later(() => accounts.sessions.all()),
      delete: (ids) => later(() => accounts.sessions.delete(ids)),
    },
    presence: {
      setLastSeen: (userId, at) => later(() => accounts.presence.setLastSeen(userId, at)),
      lastSeen: (ids) => later(() => accounts.presence.lastSeen(ids)),
    },
    transaction<T>(fn: (tx: CommitTx) => Promise<T>): Promise<T> {
      const run = queue.then(() => runTransaction(fn));
      queue = run.catch(() => undefined);
      return run;
    },
    // The data directory's lock already makes this process the only one: in it, one at a time.
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const run = exclusiveQueue.then(fn);
      exclusiveQueue = run.catch(() => undefined);
      return run;
    },
    async ready() {
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version < MIGRATIONS.length) throw new Error(`migrations applied: ${version} of ${MIGRATIONS.length}`);
      db.prepare(`SELECT 1 FROM "user" LIMIT 1`).get();
    },
    async close() {
      await queue;
      file.close();
    },
  };
}
