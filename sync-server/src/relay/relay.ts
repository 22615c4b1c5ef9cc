/**
 * The relay core: rooms by document name (rooms.ts), the per-tick commit (commit.ts),
 * sessions and presence bookkeeping. Transport-independent: `open` takes any SocketLike
 * plus the authenticated user; src/ws-adapter.ts joins it to node's http server.
 */
import type http from "node:http";
import { CLOSE_CODES, type ConversationSummary, conversationDocName, type MessageRecord } from "@messenger/shared";
import { encodeAwarenessUpdate } from "y-protocols/awareness";
import { type Clock, systemClock } from "../clock.js";
import { type ClusterBus, clusterEvent, createSingleProcessBus, decodeJson, encodeJson } from "../cluster/bus.js";
import { createInbox } from "../inbox/inbox.js";
import { createLogger, type Logger } from "../logger.js";
import { createPresence, type Presence } from "../presence/presence.js";
import type { IndexedMessage, MemberMarks, Store } from "../store/types.js";
import { createUserBudget, createWriteBudget, type WriteBudget } from "../write-budget.js";
import { attachRelay } from "../ws-adapter.js";
import { type Authorize, createAccess } from "./access.js";
import { createCommitter } from "./commit.js";
import { Connection, type SocketLike } from "./connection.js";
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from "./limits.js";
import { createMessageWriter } from "./message-writer.js";
import { NO_RELAY_METRICS, type RelayMetrics } from "./metrics.js";
import { encodeAwareness, encodePresence, encodeSyncStep1 } from "./protocol.js";
import { createReplica } from "./replica.js";
import type { Room } from "./room.js";
import { createRooms } from "./rooms.js";
import type { Access, SessionLiveness, SocketUser } from "./types.js";

/** A room stays loaded this long after its last connection leaves. */
export const ROOM_IDLE_UNLOAD_MS = 10_000;
/** Fold a document's update log into its snapshot once it holds this many updates. */
export const COMPACT_AFTER_UPDATES = 200;
/** How often connected sessions are re-checked for expiry. */
export const SESSION_SWEEP_MS = 30_000;
/** How often sockets are checked for a queue past the high-water mark (limits.ts). */
export const READER_SWEEP_MS = 1000;
/** Bus topic of conversation summaries committed on one process, for the inboxes loaded on the others. */
const INBOX_TOPIC = "inbox";
/** Bus topic of members removed from a conversation, whose sockets every process closes. */
const MEMBERSHIP_TOPIC = "membership";
/** Bus topic of read states changed by REST on one process, for the user's inbox loaded on another. */
const READS_TOPIC = "reads";
/** Bus topic of a user's changed settings, for their inbox loaded on another process. */
const SETTINGS_TOPIC = "settings";

export interface RelayOptions {
  store: Store;
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
  /** The other processes of a cluster (REDIS_URL); one process when absent. */
  bus?: ClusterBus;
  /** Share one with the REST write limit, so both transports draw on one budget per user. */
  writeBudget?: WriteBudget;
  roomIdleUnloadMs?: number;
  compactAfterUpdates?: number;
  sessionSweepMs?: number;
  pingIntervalMs?: number;
}

export type Relay = ReturnType<typeof createRelay>;

export function createRelay(options: RelayOptions) {
  const { store } = options;
  const repo = store.conversations;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger("warn");
  const authorize = options.authorize ?? createAccess(repo);
  const presence = options.presence ?? createPresence(store, clock, { logger });
  const ownsPresence = options.presence === undefined;
  const metrics = options.metrics ?? NO_RELAY_METRICS;
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
  const writeBudget =
    options.writeBudget ?? createWriteBudget({ burst: limits.writeBurst, perSecond: limits.writesPerSecond });

  const bus = options.bus ?? createSingleProcessBus();
  const replica = createReplica({ bus, store, logger, markDirty: (r) => committer.markDirty(r) });

  const bySession = new Map<string, Set<Connection>>();
  /** Sockets per session whose document is still loading (not yet in bySession). */
  const opening = new Map<string, number>();
  /** Sockets per user, served or opening. */
  const socketsByUser = new Map<string, number>();
  const uncountUser = (userId: string) => {
    const n = (socketsByUser.get(userId) ?? 1) - 1;
    if (n > 0) socketsByUser.set(userId, n);
    else socketsByUser.delete(userId);
  };
  /**
   * Message ids applied but not yet in the index, per conversation: two sockets writing
   * one id into two segments before either commits must not both pass. A generation is
   * dropped once its commit ended and no index lookup that started before is still out.
   */
  let inflight = new Map<string, Map<string, IndexedMessage>>();
  let committing: typeof inflight | null = null;
  const settledGenerations: Array<typeof inflight> = [];
  let lookupsOut = 0;
  const forgetCommitted = () => {
    if (lookupsOut === 0) settledGenerations.length = 0;
  };
  const presenceSubscriptions = new Map<Connection, () => void>();
  const detachers: Array<() => Promise<void>> = [];
  let closing = false;

  const committer = createCommitter({
    store,
    logger,
    metrics,
    compactAfter: options.compactAfterUpdates ?? COMPACT_AFTER_UPDATES,
    writeInboxes: (changed) => inbox.writeNow(changed),
    inboxesCommitted: (ok) => inbox.committed(ok),
    conversationsCommitted(changed) {
      const list = [...changed];
      headsMoved(list.map((c) => c.summary));
      // Other processes write these into the inboxes they have loaded.
      if (replica.clustered)
        bus.publish(INBOX_TOPIC, encodeJson(list.map(({ summary, marks }) => ({ summary, marks }))));
    },
    fail: (r, err, refusedUser) => rooms.fail(r, err, refusedUser ?? null),
    compact: (r) => rooms.compact(r),
    replica,
    began() {
      committing = inflight;
      inflight = new Map();
    },
    committed() {
      if (committing) settledGenerations.push(committing);
      committing = null;
      forgetCommitted();
    },
  });
  const rooms = createRooms({
    store,
    logger,
    idleMs: options.roomIdleUnloadMs ?? ROOM_IDLE_UNLOAD_MS,
    markDirty: (r) => committer.markDirty(r),
    replica,
    onLoaded: async (r, target) => {
      if (replica.clustered && target.kind === "conversation")
        r.awarenessOut = (update, owners) => replica.awareness(r, update, owners);
      if (target.kind === "inbox") await inbox.fill(r, target.userId);
      else if (target.segment === 0) r.soleSegment = (await repo.get(target.conversationId))?.headSegment === 0;
    },
  });
  const room = (name: string) => rooms.get(name);
  const release = rooms.release;

  const inbox = createInbox({
    repo,
    settings: store.settings,
    ifPresent: (name) => rooms.ifPresent(name),
    release,
    logger,
  });
  /** A conversation whose head segment moved on: its segment 0 is no longer the only one. */
  const headsMoved = (summaries: ConversationSummary[]) => {
    for (const s of summaries) {
      if (s.headSegment === 0) continue;
      const first = rooms.loadedRoom(conversationDocName(s.id, 0));
      if (first) first.soleSegment = false;
    }
  };
  // Conversations changed on other processes: into the inboxes loaded here.
  const inboxSubscription = bus.subscribe(INBOX_TOPIC, (payload) => {
    const announced = decodeJson(payload) as Array<{
      summary: ConversationSummary;
      marks?: MemberMarks[];
      alsoTo?: string[];
    }>;
    headsMoved(announced.map((a) => a.summary));
    // From a commit: written as they are. Announced by a REST route: re-read, as here.
    inbox.committedElsewhere(announced.filter((a) => a.alsoTo === undefined));
    for (const a of announced) if (a.alsoTo !== undefined) inbox.publish(a.summary, a.alsoTo);
  });
  /** Closes `userId`'s sockets on every segment of the conversation they are no longer in. */
  const closeMember = (conversationId: string, userId: string) => {
    for (const r of rooms.values()) {
      if (r.target.kind !== "conversation" || r.target.conversationId !== conversationId) continue;
      for (const conn of [...r.connections])
        if (conn.user.id === userId) conn.close(CLOSE_CODES.NOT_A_MEMBER, "no longer a member");
    }
  };
  // Each applied here and on every other process.
  const readsChanged = clusterEvent<MemberMarks>(bus, READS_TOPIC, (marks) => void inbox.writeReads([marks]));
  const settingsChanged = clusterEvent<{ userId: string; readReceipts: boolean }>(bus, SETTINGS_TOPIC, (s) => {
    void inbox.writeSetting(s.userId, s.readReceipts);
  });
  const memberRemoved = clusterEvent<{ conversationId: string; userId: string }>(bus, MEMBERSHIP_TOPIC, (m) =>
    closeMember(m.conversationId, m.userId),
  );
  const unsubscribeResync = bus.onResync(() => {
    // Messages may have been lost while the bus was away: ask the store.
    replica.catchUpAll(rooms.values());
    for (const r of rooms.values())
      if (r.target.kind === "inbox") void inbox.fill(r, r.target.userId).catch(() => undefined);
  });
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
    uncountUser(conn.user.id);
    presence.disconnect(conn.user.id);
    release(r);
  };

  const endSessions = (sessionIds: Iterable<string>) => {
    for (const id of sessionIds) {
      for (const conn of [...(bySession.get(id) ?? [])]) conn.close(CLOSE_CODES.SESSION_ENDED, "session ended");
    }
  };
  const unsubscribeSessions = options.sessions?.onEnded((ids) => endSessions(ids));
  const sweep = setInterval(async () => {
    if (!options.sessions || bySession.size === 0) return;
    try {
      const ids = [...bySession.keys()];
      const alive = await options.sessions.alive(ids);
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

  /** Where a message id is being committed; undefined when only the index can tell (`lookup`). */
  const indexed = (conversationId: string, messageId: string): IndexedMessage | undefined => {
    const found = inflight.get(conversationId)?.get(messageId) ?? committing?.get(conversationId)?.get(messageId);
    if (found) return found;
    for (const generation of settledGenerations) {
      const settled = generation.get(conversationId)?.get(messageId);
      if (settled) return settled;
    }
    return undefined;
  };
  /** Asks the index where these ids live; commits ending meanwhile keep their ids until it answers. */
  const lookup = async (conversationId: string, ids: string[]) => {
    lookupsOut++;
    try {
      return await repo.segmentsOf(conversationId, ids);
    } finally {
      lookupsOut--;
      forgetCommitted();
    }
  };
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
    lookup,
    noteInflight,
    relocate,
    limits,
    writeBudget,
    frameBudget,
    syncBudget,
    trialBudget,
    catchUp: replica.clustered ? (r: Room) => replica.catchUp(r) : null,
  };

  /** Registers a connection on its loaded room and greets it (sync step 1, awareness, presence). */
  const serve = (
    socket: SocketLike,
    user: SocketUser,
    r: Room,
    access: Exclude<Access, null>,
    opts: { presence?: boolean },
  ): Connection => {
    const conn = new Connection(socket, user, r, access, ctx);
    r.connections.add(conn);
    let sessionConns = bySession.get(user.sessionId);
    if (!sessionConns) {
      sessionConns = new Set();
      bySession.set(user.sessionId, sessionConns);
    }
    sessionConns.add(conn);
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
  };

  /** Why `user` may not open another socket now, or null. */
  const admission = (user: SocketUser): "TOO_MANY_SOCKETS" | "RATE_LIMITED" | null => {
    const sessionSockets = (bySession.get(user.sessionId)?.size ?? 0) + (opening.get(user.sessionId) ?? 0);
    if (sessionSockets >= limits.socketsPerSession) return "TOO_MANY_SOCKETS";
    // With several processes, the user's sockets on the others count too (presence/registry.ts).
    const userSockets = (socketsByUser.get(user.id) ?? 0) + presence.socketsElsewhere(user.id);
    if (userSockets >= limits.socketsPerUser) return "TOO_MANY_SOCKETS";
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
     * Serves one authenticated socket on one document once its room is loaded. The caller
     * has authorized it (refusing at the upgrade); frames that arrive meanwhile are the
     * caller's to hold. Feed frames to `receive`, report the close with `ended`.
     */
    async open(
      socket: SocketLike,
      user: SocketUser,
      docName: string,
      opts: { presence?: boolean; access?: Exclude<Access, null> } = {},
    ): Promise<Connection> {
      if (closing) throw new Error("refused: shutting down");
      const refused = admission(user);
      if (refused !== null) throw new Error(`refused: ${refused}`);
      // Counted from now, not once the document has loaded: sockets opening together cannot
      // all pass the caps.
      opening.set(user.sessionId, (opening.get(user.sessionId) ?? 0) + 1);
      socketsByUser.set(user.id, (socketsByUser.get(user.id) ?? 0) + 1);
      let served = false;
      try {
        const access = opts.access ?? (await authorize(docName, user));
        if (access === null) throw new Error(`refused: ${docName}`);
        const r = await room(docName);
        if (closing) throw new Error("refused: shutting down");
        served = true;
        return serve(socket, user, r, access, opts);
      } finally {
        const n = (opening.get(user.sessionId) ?? 1) - 1;
        if (n > 0) opening.set(user.sessionId, n);
        else opening.delete(user.sessionId);
        if (!served) uncountUser(user.id);
      }
    },

    /**
     * Announces a new or changed conversation in its members' inboxes (REST routes), and in
     * those of `alsoTo` (members just removed), on every process.
     */
    publishConversation(summary: ConversationSummary, alsoTo: string[] = []): void {
      inbox.publish(summary, alsoTo);
      if (replica.clustered) bus.publish(INBOX_TOPIC, encodeJson([{ summary, alsoTo }]));
    },

    /** A member's read or delivery mark moved (REST): their own inbox shows it, on every process. */
    readsChanged: (marks: MemberMarks): void => readsChanged.emit(marks),

    /** A user changed their read-receipts setting: their inbox on every device shows it, on every process. */
    settingsChanged: (userId: string, readReceipts: boolean): void => settingsChanged.emit({ userId, readReceipts }),

    /** A member left or was removed: their sockets on the conversation close now, on every process. */
    memberRemoved: (conversationId: string, userId: string): void => memberRemoved.emit({ conversationId, userId }),

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

    /** Resolves once everything received so far is judged, committed and fanned out. */
    async settled(): Promise<void> {
      for (;;) {
        await inbox.settle();
        await committer.settle();
        if (lookupsOut === 0) {
          // A lookup that just answered applies its update in a microtask still to run.
          await new Promise((resolve) => setImmediate(resolve));
          if (lookupsOut === 0 && committer.idle()) return;
        } else await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },

    stats(): { rooms: string[]; connections: number } {
      let connections = 0;
      for (const r of rooms.values()) connections += r.connections.size;
      return { rooms: rooms.names(), connections };
    },

    /** Graceful shutdown: commit pending writes, close sockets (GOING_AWAY), compact, unload. */
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      clearInterval(readers);
      unsubscribeSessions?.();
      inboxSubscription.close();
      for (const event of [readsChanged, settingsChanged, memberRemoved]) event.close();
      unsubscribeResync();
      committer.stop();
      // Commit everything: conversation batches produce inbox summaries, which produce inbox batches.
      for (let round = 0; round < 3; round++) {
        await inbox.settle();
        await committer.settle();
      }
      inbox.close();
      await rooms.close();
      await committer.settle();
      await rooms.unloadAll();
      if (ownsPresence) await presence.close();
      await Promise.all(detachers.map((d) => d()));
    },
  };
  return relay;
}
