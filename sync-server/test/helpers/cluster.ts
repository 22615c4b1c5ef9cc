/**
 * Several real server processes' worth of services in this test process, as a load balancer
 * would see them: each its own HTTP port, store pool, Redis connections and relay, all on one
 * fresh PostgreSQL database and one Redis key prefix of the test's own (both removed when the
 * test finishes). Needs the machine's PostgreSQL and Redis: it fails when either is missing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import { TEST_REDIS_URL, testRedisPrefix } from "../../src/cluster/testing.js";
import { createTestDatabase } from "../../src/store/testing.js";
import { startTestServer, type TestServer } from "./server.js";

/** The environment that puts a process in a test's cluster: its database and its Redis prefix. */
export async function testClusterEnv(): Promise<Record<string, string>> {
  const database = await createTestDatabase();
  // Registered first, so they run after every server of the test has closed.
  onTestFinished(() => database.drop());
  const prefix = testRedisPrefix();
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
