/**
 * The cluster bench's Redis: the one the machine's tests use (TEST_REDIS_URL, default
 * redis://127.0.0.1:6379), a key prefix of the run's own under which every server of the
 * run puts its keys and channels, and Redis's own CPU. Connected through the server's
 * Redis link (sync-server/src/cluster/redis.ts), so it fails as the server would.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_CLUSTER_REDIS_URL } from "../../../sync-server/scripts/cluster.js";
import { connectRedis, type RedisLink } from "../../../sync-server/src/cluster/redis.js";
import { createLogger } from "../../../sync-server/src/logger.js";
import { redactUrl } from "../../../sync-server/src/redact-url.js";

export const BENCH_REDIS_URL = process.env.TEST_REDIS_URL || DEFAULT_CLUSTER_REDIS_URL;

export interface BenchRedis {
  url: string;
  /** `bench-cluster:<random>:`: every key and channel of the run starts with it. */
  prefix: string;
  /**
   * CPU (user + system, ms) Redis used so far, from its own INFO: every client's work,
   * other people's tests on a shared Redis included.
   */
  cpuMs(): Promise<number>;
  /** Deletes every key under the run's prefix; returns how many there were. */
  clean(): Promise<number>;
  close(): Promise<void>;
}

/** Connects, or says in one line why Redis cannot be used. */
export async function benchRedis(): Promise<BenchRedis | string> {
  const prefix = `bench-cluster:${randomBytes(4).toString("hex")}:`;
  let link: RedisLink;
  try {
    link = await connectRedis(BENCH_REDIS_URL, prefix, createLogger("silent"));
  } catch (error) {
    return `Redis at ${redactUrl(BENCH_REDIS_URL)} cannot be used (${(error as Error).message}); start it (redis-server --daemonize yes) or set TEST_REDIS_URL`;
  }
  return {
    url: BENCH_REDIS_URL,
    prefix,
    async cpuMs() {
      const info = await link.client.info("cpu");
      const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1]);
      return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1000;
    },
    async clean() {
      const keys = await link.client.keys(`${prefix}*`);
      if (keys.length > 0) await link.client.del(...keys);
      return keys.length;
    },
    close: () => link.close(),
  };
}
