import { DEMO_CONVERSATIONS, DEMO_GROUPS, DEMO_USERS } from "@messenger/seeds";
import { describe, expect, it, onTestFinished } from "vitest";
import { openPostgresStore } from "../src/store/postgres/postgres-store.js";
import { rawSql } from "../src/store/raw-sql.js";
import { createTestDatabase } from "../src/store/testing.js";
import { spawnServer } from "./helpers/process.js";

// PostgreSQL only (on SQLite a second process refuses to start: one-process-per-data-directory).
// Three server processes start here; each loads the whole server through tsx.
describe("several processes on one PostgreSQL database", { timeout: 120_000 }, () => {
  it("migrates and seeds an empty database exactly once when three processes start on it together", async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const env = { DATABASE_URL: database.url, SEED: "true" };
    const servers = [spawnServer(env), spawnServer(env), spawnServer(env)];
    const ports = await Promise.all(servers.map((s) => s.running));
    for (const port of ports) {
      const ready = await fetch(`http://127.0.0.1:${port}/api/ready`);
      expect(ready.status).toBe(200);
    }

    const store = await openPostgresStore({ url: database.url, clock: Date.now });
    onTestFinished(() => store.close());
    const count = async (sql: string) => ((await rawSql<{ n: number }>(store, sql))[0] as { n: number }).n;
    expect(await count(`SELECT CAST(count(*) AS INTEGER) AS n FROM "user"`)).toBe(DEMO_USERS.length);
    expect(await count(`SELECT CAST(count(*) AS INTEGER) AS n FROM conversation`)).toBe(
      DEMO_CONVERSATIONS.length + DEMO_GROUPS.length,
    );
    expect(await count(`SELECT CAST(count(*) AS INTEGER) AS n FROM messenger_migration`)).toBeGreaterThan(0);
    // Direct conversations' messages, the groups' messages, and one system line for each group seeded under an earlier name.
    const planned =
      DEMO_CONVERSATIONS.reduce((n, c) => n + c.messages, 0) +
      DEMO_GROUPS.reduce((n, g) => n + g.messages + (g.createdAs ? 1 : 0), 0);
    expect(await count(`SELECT CAST(count(*) AS INTEGER) AS n FROM message`)).toBe(planned);
    // Two seeders would have raced on the same documents: a commit of one would have failed.
    for (const server of servers) expect(server.stderr).not.toMatch(/commit failed|seed/i);
  });
});
