/**
 * Sockets per user over several processes (REDIS_URL), behind the PresenceRegistry seam.
 *
 * Each process owns one Redis hash, `presence:sockets:<process>` (user id → its sockets
 * there, plus a sequence number), and a member of the sorted set `presence:processes`
 * scored by the time its heartbeat runs out. It writes its hash and publishes the same
 * change on the bus at most every PUBLISH_MS; the others apply changes in sequence and
 * re-read the hash on a gap, on a bus reconnect, or when they first meet a process. Every
 * heartbeat also reads the set: a process whose heartbeat ran out (kill -9, a lost host)
 * is dropped by everyone, so its users go offline everywhere within
 * HEARTBEAT_MS × (TTL_HEARTBEATS + 1); the one process that wins its removal (ZREM) writes
 * their last-seen time, the time of its last heartbeat, to the store. A process shutting
 * down removes itself and says so on the bus.
 */
import { type ClusterBus, decodeJson, encodeJson } from "../cluster/bus.js";
import type { RedisLink } from "../cluster/redis.js";
import type { Logger } from "../logger.js";
import { createChangeFeed, type PresenceRegistry } from "./registry.js";

/** How often a process renews its heartbeat and looks for processes that stopped. */
export const HEARTBEAT_MS = 5000;
/** A process is dead once it missed this many heartbeats. */
export const TTL_HEARTBEATS = 3;
/**
 * Socket counts changed here wait at most this long before they go out: the window in
 * which the other processes' view (online flags, the per-user socket cap) is behind.
 */
export const PUBLISH_MS = 10;

const TOPIC = "presence";
/** The hash field holding the hash's sequence number (user ids never start with #). */
const SEQ_FIELD = "#seq";

/** A process's changed counts (`u`, 0 = none left), with the time each reached 0 (`g`); `f` replaces all. */
type Message =
  | { p: string; s: number; u: Record<string, number>; g: Record<string, number>; f?: 1 }
  | { p: string; gone: 1; at: number };

interface Peer {
  seq: number;
  users: Map<string, number>;
}

export interface RedisRegistryOptions {
  link: RedisLink;
  bus: ClusterBus;
  logger: Logger;
  /** Writes a user's last-seen time (users of a process that died, by the process that noticed). */
  recordLastSeen(userId: string, at: number): void;
  heartbeatMs?: number;
  /** Wall-clock time shared by the processes (heartbeat deadlines). */
  now?: () => number;
}

export async function createRedisRegistry(options: RedisRegistryOptions): Promise<PresenceRegistry> {
  const { link, bus, logger } = options;
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const ttlMs = heartbeatMs * TTL_HEARTBEATS;
  const self = bus.processId;
  const processesKey = link.key("presence:processes");
  const socketsKey = (pid: string) => link.key(`presence:sockets:${pid}`);
  const feed = createChangeFeed();
  const here = new Map<string, number>();
  /** Users whose count here changed since the last publish, with the time each reached 0. */
  const dirty = new Map<string, number>();
  const peers = new Map<string, Peer>();
  /** Processes being re-read, with the messages that arrived meanwhile. */
  const rereading = new Map<string, Message[]>();
  /** Peers not in the set at the last heartbeat (removed by whoever found them dead). */
  const missing = new Set<string>();
  let seq = 0;
  let publishTimer: NodeJS.Timeout | null = null;
  let started = false;
  let closed = false;
  const warn = (what: string) => (err: Error) => logger.warn(what, { err: err.message });

  const elsewhere = (userId: string) => {
    let n = 0;
    for (const peer of peers.values()) n += peer.users.get(userId) ?? 0;
    return n;
  };
  const isOnline = (userId: string) => here.has(userId) || elsewhere(userId) > 0;

  /** Runs `change`, then reports every user of `userIds` whose online state it flipped. */
  const changing = (userIds: Iterable<string>, lastSeen: (userId: string) => number, change: () => void) => {
    const ids = [...new Set(userIds)];
    const before = ids.map(isOnline);
    change();
    ids.forEach((id, i) => {
      const online = isOnline(id);
      if (online !== before[i]) feed.emit(id, online, online ? null : lastSeen(id));
    });
  };

  const replacePeer = (pid: string, s: number, users: Map<string, number>, at: number) => {
    const old = peers.get(pid)?.users.keys() ?? [];
    changing(
      [...old, ...users.keys()],
      () => at,
      () => peers.set(pid, { seq: s, users }),
    );
  };
  const dropPeer = (pid: string, at: number) => {
    missing.delete(pid);
    const peer = peers.get(pid);
    if (peer)
      changing(
        peer.users.keys(),
        () => at,
        () => peers.delete(pid),
      );
  };
  const toUsers = (counts: Record<string, number | string>) =>
    new Map(Object.entries(counts).map(([id, n]) => [id, Number(n)]));

  /** Applies one message from another process; a gap in its sequence means re-reading its hash. */
  const receive = (msg: Message) => {
    if ("gone" in msg) return dropPeer(msg.p, msg.at);
    if (msg.f) return replacePeer(msg.p, msg.s, toUsers(msg.u), now());
    const waiting = rereading.get(msg.p);
    if (waiting) return void waiting.push(msg);
    const peer = peers.get(msg.p);
    if (!peer || msg.s > peer.seq + 1) return void reread(msg.p);
    if (msg.s <= peer.seq) return;
    changing(
      Object.keys(msg.u),
      (id) => msg.g[id] ?? now(),
      () => {
        peer.seq = msg.s;
        for (const [id, n] of Object.entries(msg.u)) n > 0 ? peer.users.set(id, n) : peer.users.delete(id);
      },
    );
  };

  /** Reads a process's whole hash, then applies what it published meanwhile. */
  const reread = async (pid: string): Promise<void> => {
    if (rereading.has(pid) || closed) return;
    const waiting: Message[] = [];
    rereading.set(pid, waiting);
    let fields: Record<string, string>;
    try {
      fields = await link.client.hgetall(socketsKey(pid));
    } catch (err) {
      rereading.delete(pid);
      return warn("could not read a process's presence")(err as Error);
    }
    rereading.delete(pid);
    if (closed) return;
    const s = fields[SEQ_FIELD];
    if (s === undefined)
      dropPeer(pid, now()); // gone: it removed its hash, or it was declared dead
    else if (Number(s) >= (peers.get(pid)?.seq ?? 0)) {
      delete fields[SEQ_FIELD];
      replacePeer(pid, Number(s), toUsers(fields), now());
    }
    for (const msg of waiting) receive(msg);
  };

  const publish = () => {
    publishTimer = null;
    if (dirty.size === 0 || closed) return;
    const u: Record<string, number> = {};
    const g: Record<string, number> = {};
    const tx = link.client.multi();
    for (const [id, at] of dirty) {
      const n = here.get(id) ?? 0;
      u[id] = n;
      if (n > 0) tx.hset(socketsKey(self), id, n);
      else {
        tx.hdel(socketsKey(self), id);
        g[id] = at;
      }
    }
    dirty.clear();
    seq += 1;
    tx.hset(socketsKey(self), SEQ_FIELD, seq).pexpire(socketsKey(self), ttlMs * 10);
    tx.exec().catch(warn("could not write presence"));
    // After the transaction on the same connection: whoever hears it can already read it.
    bus.publish(TOPIC, encodeJson({ p: self, s: seq, u, g } satisfies Message));
  };

  /** Writes this process's whole hash afresh (after a reconnect, or when it was taken for dead). */
  const rewrite = () => {
    if (closed) return;
    dirty.clear();
    seq += 1;
    const u = Object.fromEntries(here);
    const tx = link.client.multi().del(socketsKey(self));
    if (here.size > 0) tx.hset(socketsKey(self), u);
    tx.hset(socketsKey(self), SEQ_FIELD, seq).pexpire(socketsKey(self), ttlMs * 10);
    tx.exec().catch(warn("could not write presence"));
    bus.publish(TOPIC, encodeJson({ p: self, s: seq, u, g: {}, f: 1 } satisfies Message));
  };

  /** Removes a process whose heartbeat ran out; the one that wins the removal records last-seen. */
  const bury = async (pid: string, lastBeat: number) => {
    if ((await link.client.zrem(processesKey, pid)) !== 1) return;
    // The others may find it gone from the set before they find it dead: this is its time.
    bus.publish(TOPIC, encodeJson({ p: pid, gone: 1, at: lastBeat } satisfies Message));
    const fields = await link.client.hgetall(socketsKey(pid));
    await link.client.del(socketsKey(pid));
    delete fields[SEQ_FIELD];
    for (const userId of Object.keys(fields)) if (!isOnline(userId)) options.recordLastSeen(userId, lastBeat);
    logger.warn("a process stopped without shutting down: its users are offline", { process: pid });
  };

  const beat = async () => {
    const t = now();
    const added = await link.client.zadd(processesKey, String(t + ttlMs), self);
    await link.client.pexpire(socketsKey(self), ttlMs * 10);
    // Not in the set although running: another process took it for dead (a long pause).
    if (Number(added) === 1 && started) rewrite();
    const listed = await link.client.zrange(processesKey, "0", "-1", "WITHSCORES");
    const live = new Set<string>();
    const dead: Array<Promise<void>> = [];
    for (let i = 0; i + 1 < listed.length; i += 2) {
      const pid = listed[i] as string;
      const deadline = Number(listed[i + 1]);
      if (pid === self) continue;
      if (deadline > t) live.add(pid);
      else {
        // Everyone uses its last heartbeat as its users' last-seen time.
        dropPeer(pid, deadline - ttlMs);
        dead.push(bury(pid, deadline - ttlMs));
      }
    }
    for (const pid of peers.keys()) {
      if (live.has(pid)) missing.delete(pid);
      // Gone from the set: its burier's word, with its last heartbeat, is on the way; if that
      // was lost, it goes at the next heartbeat.
      else if (missing.delete(pid)) dropPeer(pid, t);
      else missing.add(pid);
    }
    const unknown = [...live].filter((pid) => !peers.has(pid));
    await Promise.all([...dead, ...unknown.map(reread)]);
  };

  const subscription = bus.subscribe(TOPIC, (payload) => receive(decodeJson(payload) as Message));
  await subscription.ready;
  // In the set before anyone hears of it, so a process that reads the set next keeps it.
  await beat();
  rewrite();
  started = true;
  const heartbeat = setInterval(() => beat().catch(warn("presence heartbeat failed")), heartbeatMs);
  heartbeat.unref();
  const unsubscribeResync = bus.onResync(() => {
    rewrite();
    for (const pid of peers.keys()) void reread(pid);
  });

  const touch = (userId: string, at: number) => {
    dirty.set(userId, at);
    publishTimer ??= setTimeout(publish, PUBLISH_MS);
  };

  return {
    add(userId) {
      changing([userId], now, () => here.set(userId, (here.get(userId) ?? 0) + 1));
      touch(userId, 0);
    },
    remove(userId, at) {
      const n = here.get(userId) ?? 0;
      if (n === 0) return;
      changing(
        [userId],
        () => at,
        () => (n > 1 ? here.set(userId, n - 1) : here.delete(userId)),
      );
      touch(userId, at);
    },
    here: (userId) => here.get(userId) ?? 0,
    elsewhere,
    isOnline,
    onlineUserIds() {
      const ids = new Set(here.keys());
      for (const peer of peers.values()) for (const id of peer.users.keys()) ids.add(id);
      return [...ids];
    },
    onChange: feed.subscribe,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (publishTimer) clearTimeout(publishTimer);
      unsubscribeResync();
      subscription.close();
      try {
        await link.client.multi().del(socketsKey(self)).zrem(processesKey, self).exec();
        bus.publish(TOPIC, encodeJson({ p: self, gone: 1, at: now() } satisfies Message));
      } catch (err) {
        warn("could not remove this process's presence")(err as Error);
      }
    },
  };
}
