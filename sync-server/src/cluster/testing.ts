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

/** A fresh key prefix; its keys are deleted when the test finishes. */
export function testRedisPrefix(): string {
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  onTestFinished(async () => {
    const link = await connectRedis(TEST_REDIS_URL, prefix, createLogger("silent"));
    const keys = await link.client.keys(`${prefix}*`);
    if (keys.length > 0) await link.client.del(...keys);
    await link.close();
  });
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
