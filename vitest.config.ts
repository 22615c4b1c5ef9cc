import { defineConfig } from "vitest/config";

/**
 * Tests that never open a store: they run once. Everything else in sync-server (relay,
 * auth, REST, durability, headless sync) runs twice, on SQLite and on PostgreSQL.
 */
const STORELESS = [
  "sync-server/src/auth/login-throttle.test.ts",
  "sync-server/src/presence/redis-registry.test.ts",
  "sync-server/src/cluster/shared-write-budget.test.ts",
  "sync-server/src/cluster/auth-rate-limit.test.ts",
  "sync-server/src/auth/password.test.ts",
  "sync-server/src/auth/upgrade-cache.test.ts",
  "sync-server/src/config.test.ts",
  "sync-server/src/origins.test.ts",
  "sync-server/src/routes/client-ip.test.ts",
  "sync-server/src/token-bucket.test.ts",
  "sync-server/src/relay/validate-update.test.ts",
  "sync-server/src/relay/validate-update.fuzz.test.ts",
  // Run both stores themselves, or only make sense on one.
  "sync-server/src/store/store.contract.test.ts",
  "sync-server/src/store/postgres/postgres-store.test.ts",
  "sync-server/src/store/sqlite/data-dir.test.ts",
  "sync-server/test/deployment-files-are-valid.test.ts",
  "sync-server/test/one-process-per-data-directory.test.ts",
  "sync-server/test/start-up-explains-itself.test.ts",
  // Make their own PostgreSQL database whatever TEST_STORE says.
  "sync-server/test/several-processes-start-on-one-postgres-database.test.ts",
  "sync-server/test/a-local-cluster-shares-one-database-and-stops-cleanly.test.ts",
  // Several processes on one PostgreSQL database and one Redis of their own (test/helpers/cluster.ts).
  "sync-server/test/processes-of-a-cluster-relay-to-each-other.test.ts",
  "sync-server/test/presence-crosses-processes.test.ts",
  "sync-server/test/revoking-a-session-closes-its-sockets-on-every-process.test.ts",
  "sync-server/test/limits-are-shared-across-processes.test.ts",
  "sync-server/test/a-cluster-keeps-every-acknowledged-message-through-kills.test.ts",
  "sync-server/test/a-cluster-catches-up-when-redis-restarts.test.ts",
  "sync-server/test/races-between-processes-have-one-winner.test.ts",
  "sync-server/test/refuses-the-later-writer-of-a-message-id-another-process-committed.test.ts",
];

// Unit, HTTP and headless sync tests. Browser tests live in e2e/ with their own config.
export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["{shared,sync-server,client,seeds}/**/*.test.{ts,tsx}"],
          env: { NODE_ENV: "test", TEST_STORE: "sqlite" },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["sync-server/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**", ...STORELESS],
          env: { NODE_ENV: "test", TEST_STORE: "postgres" },
        },
      },
    ],
  },
});
