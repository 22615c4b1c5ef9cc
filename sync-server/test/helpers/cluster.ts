/**
 * Several real server processes' worth of services in this test process, as a load balancer
 * would see them: each its own HTTP port, store pool, Redis connections and relay, all on one
 * fresh PostgreSQL database and one Redis key prefix of the test's own (both removed when the
 * test finishes). Needs the machine's PostgreSQL and Redis: it fails when either is missing.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { onTestFinished } from "vitest";
import { createTestDatabase } from "../../src/store/testing.js";
import { startTestServer, type TestServer } from "./server.js";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Deletes every key under `prefix` (SCAN, so a big Redis is not blocked). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** The environment that puts a process in a test's cluster: its database and its Redis prefix. */
export async function testClusterEnv(): Promise<Record<string, string>> {
  const database = await createTestDatabase();
  const prefix = `test:${randomBytes(6).toString("hex")}:`;
  // Registered first, so they run after every server of the test has closed.
  onTestFinished(() => database.drop());
  onTestFinished(() => deleteRedisKeys(TEST_REDIS_URL, prefix));
  return { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
}

/** `count` servers on one database and one Redis prefix, each on its own port. */
export async function startTestCluster(
  count: number,
  options: Omit<Parameters<typeof startTestServer>[0] & object, "dataDir"> = {},
): Promise<TestServer[]> {
  const env = await testClusterEnv();
  const servers: TestServer[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-cluster-"));
    onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    servers.push(await startTestServer({ ...options, dataDir, env: { ...env, ...options.env } }));
  }
  return servers;
}
