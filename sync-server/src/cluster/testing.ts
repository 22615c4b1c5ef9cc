/**
 * Redis for unit tests: connections on a key prefix of the test's own, with every key under
 * it deleted and the connections closed when the test finishes. Needs Redis at
 * TEST_REDIS_URL (default redis://127.0.0.1:6379); without it the test fails saying so
 * (REDIS_UNREACHABLE). It never skips.
 */
import { randomBytes } from "node:crypto";
import { onTestFinished } from "vitest";
import { createLogger } from "../logger.js";
import { type ClusterBus, createRedisBus } from "./bus.js";
import { connectRedis, type RedisLink } from "./redis.js";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Deletes every key under `prefix` (SCAN, so a big Redis is not blocked). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const link = await connectRedis(url, prefix, createLogger("silent"));
  try {
    let cursor = "0";
    do {
      const [next, keys] = await link.client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await link.client.del(...keys);
    } while (cursor !== "0");
  } finally {
    await link.close();
  }
}

/** A fresh key prefix; its keys are deleted when the test finishes. */
export function testRedisPrefix(): string {
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  onTestFinished(() => deleteRedisKeys(TEST_REDIS_URL, prefix));
  return prefix;
}

/** One process's Redis link and bus on `prefix`, closed when the test finishes (unless already). */
export async function connectTestProcess(prefix: string): Promise<{ link: RedisLink; bus: ClusterBus }> {
  const logger = createLogger("silent");
  const link = await connectRedis(TEST_REDIS_URL, prefix, logger);
  const bus = createRedisBus(link, logger);
  onTestFinished(async () => {
    await bus.close();
    if (link.client.status !== "end") await link.close();
  });
  return { link, bus };
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs` (generous: no timing assertions). */
export async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
