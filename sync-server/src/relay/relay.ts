/**
 * The relay core: rooms by document name, the per-tick commit, sessions and
 * presence bookkeeping. Transport-independent: `open` takes any SocketLike plus
 * the authenticated user; src/ws-adapter.ts joins it to node's http server.
 */
import type http from "node:http";
import {
  CLOSE_CODES,
  type ConversationSummary,
  type MessageRecord,
  messagesMap,
  parseDocName,
} from "@messenger/shared";
import { encodeAwarenessUpdate } from "y-protocols/awareness";
import { type Clock, systemClock } from "../clock.js";
import type { ConversationRepo } from "../conversations/conversation-repo.js";
import type { Db } from "../db/database.js";
import { createInbox } from "../inbox/inbox.js";
import { createLogger, type Logger } from "../logger.js";
import { createPresence, type Presence } from "../presence/presence.js";
import { createDocStore } from "../storage/doc-store.js";
import { createUserBudget, createWriteBudget, type WriteBudget } from "../write-budget.js";
import { attachRelay } from "../ws-adapter.js";
import { type Authorize, createAccess } from "./access.js";
import { Connection, type SocketLike } from "./connection.js";
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from "./limits.js";
import { createMessageWriter } from "./message-writer.js";
import { NO_RELAY_METRICS, type RelayMetrics } from "./metrics.js";
import { encodeAwareness, encodePresence, encodeSyncStep1 } from "./protocol.js";
import { type Batch, Room } from "./room.js";
import type { SessionLiveness, SocketUser } from "./types.js";

/** A room stays loaded this long after its last connection leaves. */
export const ROOM_IDLE_UNLOAD_MS = 10_000;
/** Fold a document's update log into its snapshot once it holds this many updates. */
export const COMPACT_AFTER_UPDATES = 200;
/** How often connected sessions are re-checked for expiry. */
export const SESSION_SWEEP_MS = 30_000;
/** How often sockets are checked for a queue past the high-water mark (limits.ts). */
export const READER_SWEEP_MS = 1000;
/** WebSocket close code for a server-side failure (RFC 6455). */
const CLOSE_INTERNAL_ERROR = 1011;

export interface RelayOptions {
  db: Db;
  repo: ConversationRepo;
  clock?: Clock;
  logger?: Logger;
  /** Reads the better-auth cookie or `Authorization: Bearer`; needed by `attach`. */
  authenticate?: (headers: Headers) => Promise<SocketUser | null>;
  /** Defaults to relay/access.ts over `repo`. */
  authorize?: Authorize;
  sessions?: SessionLiveness;
  /** Share one with the REST users route; created here when absent. */
  presence?: Presence;
  /** Whether a browser origin may open sockets (origins.ts); none may when absent. */
  isTrustedOrigin?: (origin: string) => boolean;
  /** Monitoring hooks (src/metrics.ts): commits here, sockets and refusals in the adapter. */
  metrics?: RelayMetrics;
  /** Per-user and per-socket limits (limits.ts); defaults when absent. */
  limits?: Partial<RelayLimits>;
  /** Share one with the REST write limit, so both transports draw on one budget per user. */
  writeBudget?: WriteBudget;
  roomIdleUnloadMs?: number;
  compactAfterUpdates?: number;
  sessionSweepMs?: number;
  pingIntervalMs?: number;
}

export type Relay = ReturnType<typeof createRelay>;

export function createRelay(options: RelayOptions) {
  const { db, repo } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger("warn");
  const authorize = options.authorize ?? createAccess(repo);
  const presence = options.presence ?? createPresence(db, clock);
  const ownsPresence = options.presence === undefined;
  const idleMs = options.roomIdleUnloadMs ?? ROOM_IDLE_UNLOAD_MS;
  const compactAfter = options.compactAfterUpdates ?? COMPACT_AFTER_UPDATES;
  const metrics = options.metrics ?? NO_RELAY_METRICS;
  const store = createDocStore(db, clock);
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
  const writeBudget =
    options.writeBudget ?? createWriteBudget({ burst: limits.writeBurst, perSecond: limits.writesPerSecond });

  const rooms = new Map<string, Room>();
  const dirty = new Set<Room>();
  const bySession = new Map<string, Set<Connection>>();
  const socketsByUser = new Map<string, number>();
  /**
   * Message ids applied but not yet committed, per conversation: the index sees only
   * committed rows, and two sockets writing one id into two segments in the same tick
   * must not both pass.
   */
  const inflight = new Map<string, Map<string, { segment: number; authorId: string }>>();
  const presenceSubscriptions = new Map<Connection, () => void>();
  const detachers: Array<() => Promise<void>> = [];
  let scheduled: NodeJS.Immediate | null = null;
  let closing = false;

  const markDirty = (room: Room) => {
    dirty.add(room);
    if (!closing) scheduled ??= setImmediate(flush);
  };

  const room = (name: string): Room => {
    const existing = rooms.get(name);
    if (existing) {
      if (existing.unloadTimer) clearTimeout(existing.unloadTimer);
      existing.unloadTimer = null;
      return existing;
    }
    const target = parseDocName(name);
    if (target === null) throw new TypeError(`not a document name: ${name}`);
    const created = new Room(name, target, store, markDirty);
    rooms.set(name, created);
    if (target.kind === "inbox" && created.isNew) inbox.fill(created, target.userId);
    return created;
  };

  const unload = (r: Room) => {
    r.unloadTimer = null;
    if (rooms.get(r.name) !== r || r.connections.size > 0) return;
    if (r.hasPending) return r.afterCommit(() => release(r));
    try {
      r.compact();
    } catch (err) {
      logger.error("compaction failed", { doc: r.name, err: String(err) });
    }
    r.destroy();
    rooms.delete(r.name);
  };

  /** A room with no connections unloads after idleMs (memory follows active documents). */
  const release = (r: Room) => {
    if (closing || r.connections.size > 0 || rooms.get(r.name) !== r) return;
    if (r.unloadTimer) clearTimeout(r.unloadTimer);
    r.unloadTimer = setTimeout(() => unload(r), idleMs);
    r.unloadTimer.unref();
  };

  const fail = (r: Room) => {
    rooms.delete(r.name);
    for (const conn of [...r.connections]) conn.close(CLOSE_INTERNAL_ERROR, "storage failure");
    r.destroy();
  };

  /** One transaction per tick: update log, client-id claims, message index. Then fan-out. */
  function flush(): void {
    scheduled = null;
    inflight.clear();
    const work: Array<[Room, Batch]> = [...dirty].map((r) => [r, r.takeBatch()]);
    dirty.clear();
    const summaries = new Map<string, ConversationSummary>();
    let error: unknown = null;
    const commit = (batch: Array<[Room, Batch]>) => {
      for (const [r, b] of batch) {
        for (const { update } of b.updates) {
          r.lastUpdateId = store.append(r.name, update);
          r.logLength++;
        }
        for (const [clientId, userId] of b.claims) store.claimClient(r.name, clientId, userId);
        if (r.target.kind === "conversation" && b.keys.size > 0) {
          const map = messagesMap(r.doc);
          const records = [...b.keys].flatMap((k) => map.get(k) ?? []);
          const indexed =
            records.length > 0 ? repo.indexMessages(r.target.conversationId, r.target.segment, records) : null;
          if (indexed) summaries.set(indexed.summary.id, indexed.summary);
        }
      }
    };
    const started = performance.now();
    try {
      store.transaction(() => {
        commit(work);
        if (summaries.size === 0) return;
        // The inbox entries these messages change go into the same transaction: one commit
        // (one fsync) per tick instead of two, and a failure drops both together.
        inbox.writeNow(summaries.values());
        const inboxWork: Array<[Room, Batch]> = [...dirty].map((r) => [r, r.takeBatch()]);
        dirty.clear();
        work.push(...inboxWork); // before committing them: on failure these rooms are dropped too
        commit(inboxWork);
      });
    } catch (err) {
      error = err ?? new Error("commit failed");
      logger.error("commit failed", { err: String(err), docs: work.map(([r]) => r.name) });
    }
    metrics.commit(performance.now() - started, error === null);
    for (const [r, b] of work) {
      if (error) fail(r);
      else r.publish(b);
      for (const after of b.after) {
        try {
          after(error);
        } catch (err) {
          logger.error("after-commit callback failed", { err: String(err) });
        }
      }
      if (!error && r.logLength >= compactAfter) {
        try {
          r.compact();
        } catch (err) {
          logger.error("compaction failed", { doc: r.name, err: String(err) });
        }
      }
    }
  }

  const inbox = createInbox({ repo, room, release });
  const writer = createMessageWriter({ repo, clock, room, release });

  const onClosed = (conn: Connection) => {
    const r = conn.room;
    r.connections.delete(conn);
    r.dropAwareness(conn);
    const sessionConns = bySession.get(conn.user.sessionId);
    sessionConns?.delete(conn);
    if (sessionConns?.size === 0) bySession.delete(conn.user.sessionId);
    presenceSubscriptions.get(conn)?.();
    presenceSubscriptions.delete(conn);
    const userSockets = (socketsByUser.get(conn.user.id) ?? 1) - 1;
    if (userSockets > 0) socketsByUser.set(conn.user.id, userSockets);
    else socketsByUser.delete(conn.user.id);
    presence.disconnect(conn.user.id);
    release(r);
  };

  const endSessions = (sessionIds: Iterable<string>) => {
    for (const id of sessionIds) {
      for (const conn of [...(bySession.get(id) ?? [])]) conn.close(CLOSE_CODES.SESSION_ENDED, "session ended");
    }
  };
  const unsubscribeSessions = options.sessions?.onEnded((ids) => endSessions(ids));
  const sweep = setInterval(() => {
    if (!options.sessions || bySession.size === 0) return;
    try {
      const ids = [...bySession.keys()];
      const alive = options.sessions.alive(ids);
      endSessions(ids.filter((id) => !alive.has(id)));
    } catch (err) {
      logger.error("session sweep failed", { err: String(err) });
    }
  }, options.sessionSweepMs ?? SESSION_SWEEP_MS);
  sweep.unref();
  // Sockets that stopped reading hold their queue until dropped: look every second.
  const readers = setInterval(() => {
    for (const r of rooms.values())
      for (const conn of [...r.connections]) if (conn.buffered > 0) conn.dropIfNotReading();
  }, READER_SWEEP_MS);
  readers.unref();

  const indexed = (conversationId: string, messageId: string) =>
    inflight.get(conversationId)?.get(messageId) ?? repo.segmentOf(conversationId, messageId);
  /** Called by a connection right before it applies a validated write. */
  const noteInflight = (conversationId: string, segment: number, authorId: string, keys: string[]) => {
    let ids = inflight.get(conversationId);
    if (!ids) {
      ids = new Map();
      inflight.set(conversationId, ids);
    }
    for (const k of keys) if (!ids.has(k)) ids.set(k, { segment, authorId });
  };
  const relocate = (conversationId: string, authorId: string, records: MessageRecord[]) => {
    // Charged like any write: refusing a full segment must not be a way around the budget.
    // Without budget the client keeps them, and re-sends them over HTTP (the answer to 4403).
    if (!writeBudget.take(authorId, records.length)) return;
    for (const r of records) {
      writer
        .postMessage(conversationId, authorId, { id: r.id, text: r.text, createdAt: r.createdAt })
        .catch((err) => logger.warn("could not move a message to the head segment", { id: r.id, err: String(err) }));
    }
  };
  const frameBudget = createUserBudget({ burst: limits.framesBurst, perSecond: limits.framesPerSecond });
  const syncBudget = createUserBudget({ burst: limits.syncStep1Burst, perSecond: limits.syncStep1PerSecond });
  const upgradeBudget = createUserBudget({ burst: limits.upgradesBurst, perSecond: limits.upgradesPerSecond });
  const trialBudget = createUserBudget({ burst: limits.trialsBurst, perSecond: limits.trialsPerSecond });
  const ctx = {
    clock,
    logger,
    onClosed,
    indexed,
    noteInflight,
    relocate,
    limits,
    writeBudget,
    frameBudget,
    syncBudget,
    trialBudget,
  };

  /** Why `user` may not open another socket now, or null. */
  const admission = (user: SocketUser): "TOO_MANY_SOCKETS" | "RATE_LIMITED" | null => {
    if ((bySession.get(user.sessionId)?.size ?? 0) >= limits.socketsPerSession) return "TOO_MANY_SOCKETS";
    if ((socketsByUser.get(user.id) ?? 0) >= limits.socketsPerUser) return "TOO_MANY_SOCKETS";
    return null;
  };
  /** The adapter asks once per upgrade: caps, then the user's upgrade rate. */
  const admitUpgrade = (user: SocketUser) => admission(user) ?? (upgradeBudget.take(user.id) ? null : "RATE_LIMITED");

  const relay = {
    ...writer,

    /** What `user` may do with `docName`: "write", "read" or null (refuse). */
    authorize,

    /** Why `user` may not open one more socket now (per-session and per-user caps, upgrade rate), or null. */
    admission: admitUpgrade,

    /**
     * Serves one authenticated socket on one document. The caller has authorized it
     * (refusing at the upgrade). Feed frames to `receive`, report the close with `ended`.
     */
    open(socket: SocketLike, user: SocketUser, docName: string, opts: { presence?: boolean } = {}): Connection {
      const access = authorize(docName, user);
      if (closing || access === null) throw new Error(`refused: ${docName}`);
      const refused = admission(user);
      if (refused !== null) throw new Error(`refused: ${refused}`);
      const r = room(docName);
      const conn = new Connection(socket, user, r, access, ctx);
      r.connections.add(conn);
      let sessionConns = bySession.get(user.sessionId);
      if (!sessionConns) {
        sessionConns = new Set();
        bySession.set(user.sessionId, sessionConns);
      }
      sessionConns.add(conn);
      socketsByUser.set(user.id, (socketsByUser.get(user.id) ?? 0) + 1);
      presence.connect(user.id);
      conn.send(encodeSyncStep1(r.doc));
      const states = r.awareness?.getStates();
      if (r.awareness && states && states.size > 0)
        conn.send(encodeAwareness(encodeAwarenessUpdate(r.awareness, [...states.keys()])));
      if (opts.presence && r.target.kind === "inbox") {
        presenceSubscriptions.set(
          conn,
          presence.subscribe((frame) => conn.send(encodePresence(frame))),
        );
      }
      return conn;
    },

    /** Announces a new or changed conversation in its members' inboxes (REST create route). */
    publishConversation(summary: ConversationSummary): void {
      inbox.publish(summary);
    },

    presence,

    /** Serves `/sync/<doc>` on `server` (same port as Hono). Needs `authenticate`. */
    attach(server: http.Server): void {
      if (!options.authenticate) throw new Error("createRelay: pass `authenticate` to attach the relay to a server.");
      const adapter = attachRelay(server, {
        relay,
        authenticate: options.authenticate,
        isTrustedOrigin: options.isTrustedOrigin ?? (() => false),
        logger,
        pingIntervalMs: options.pingIntervalMs,
        metrics,
      });
      detachers.push(adapter.close);
    },

    /** Resolves once everything applied so far is committed and fanned out. */
    async settled(): Promise<void> {
      while (dirty.size > 0 || scheduled) await new Promise((resolve) => setImmediate(resolve));
    },

    stats(): { rooms: string[]; connections: number } {
      let connections = 0;
      for (const r of rooms.values()) connections += r.connections.size;
      return { rooms: [...rooms.keys()], connections };
    },

    /** Graceful shutdown: commit pending writes, close sockets (GOING_AWAY), compact, unload. */
    async close(): Promise<void> {
      if (closing) return;
      clearInterval(sweep);
      clearInterval(readers);
      unsubscribeSessions?.();
      // Commit everything: conversation batches produce inbox summaries, which produce inbox batches.
      for (let round = 0; round < 3; round++) {
        inbox.flush();
        if (scheduled) clearImmediate(scheduled);
        scheduled = null;
        if (dirty.size > 0) flush();
      }
      inbox.close();
      closing = true;
      for (const r of rooms.values()) {
        for (const conn of [...r.connections]) conn.close(CLOSE_CODES.GOING_AWAY, "server shutting down");
      }
      if (dirty.size > 0) flush();
      for (const r of [...rooms.values()]) {
        try {
          r.compact();
        } catch (err) {
          logger.error("compaction failed", { doc: r.name, err: String(err) });
        }
        r.destroy();
      }
      rooms.clear();
      if (ownsPresence) presence.close();
      await Promise.all(detachers.map((d) => d()));
    },
  };
  return relay;
}
