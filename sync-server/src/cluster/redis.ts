/**
 * The connection to Redis of a process running as one of several (REDIS_URL): one client
 * for commands (shared limits, presence keys, publishing) and one in subscriber mode (a
 * Redis connection that subscribes can do nothing else). ioredis reconnects on its own;
 * `onReconnect` listeners hear when it did, since whatever was published meanwhile is lost
 * to this process (pub/sub keeps nothing) and must be caught up from PostgreSQL.
 *
 * Every key and channel starts with `prefix` (REDIS_KEY_PREFIX), so deployments and tests
 * can share one Redis.
 */
import { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import { redactUrl } from "../redact-url.js";
import { startupError } from "../startup-error.js";

export interface RedisLink {
  /** Commands, scripts and publishing. */
  readonly client: Redis;
  /** Subscriptions only. */
  readonly subscriber: Redis;
  readonly prefix: string;
  /** `prefix` + name: the key or channel of this deployment. */
  key(name: string): string;
  /** Runs `fn` after every reconnect of either connection (not the first connect). */
  onReconnect(fn: () => void): () => void;
  /** Throws unless Redis answers a PING. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** How long a start-up waits for Redis to answer before refusing to start. */
const CONNECT_TIMEOUT_MS = 5000;

/** Connects both clients; rejects with a StartupError (REDIS_UNREACHABLE) when Redis does not answer. */
export async function connectRedis(url: string, prefix: string, logger: Logger): Promise<RedisLink> {
  const options = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Commands wait while reconnecting, but not forever: a request fails rather than hangs.
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  const client = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, maxRetriesPerRequest: null });
  const listeners = new Set<() => void>();
  for (const [name, conn] of [
    ["client", client],
    ["subscriber", subscriber],
  ] as const) {
    let connected = false;
    conn.on("error", (err: Error) => {
      if (connected) logger.warn("redis connection error", { connection: name, err: err.message });
    });
    conn.on("ready", () => {
      if (connected) {
        logger.info("redis reconnected", { connection: name });
        for (const fn of listeners) fn();
      }
      connected = true;
    });
  }
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (error) {
    client.disconnect();
    subscriber.disconnect();
    throw startupError("REDIS_UNREACHABLE", {
      url: redactUrl(url),
      reason: `does not answer (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  return {
    client,
    subscriber,
    prefix,
    key: (name) => `${prefix}${name}`,
    onReconnect(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async ready() {
      const answer = await client.ping();
      if (answer !== "PONG") throw new Error(`redis answered ${answer}`);
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}
