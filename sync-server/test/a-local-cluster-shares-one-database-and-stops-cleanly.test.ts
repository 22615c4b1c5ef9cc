/**
 * scripts/cluster.ts as the bench and `npm run cluster` use it: real server processes on
 * consecutive ports, on one fresh PostgreSQL database and one fresh Redis key prefix. Makes its
 * own database whatever TEST_STORE says, so it runs once (vitest.config.ts, STORELESS).
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { CLOSE_CODES, type ConversationSummary, inboxDocName } from "@messenger/shared";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { createDatabaseIfMissing, startLocalCluster } from "../scripts/cluster.js";
import { createTestDatabase } from "../src/store/testing.js";
import { testClusterEnv } from "./helpers/cluster.js";
import { REPO_ROOT } from "./helpers/process.js";
import { connectTo, waitFor } from "./helpers/server.js";

/** The processes' whole environment: not vitest's (Vite's BASE_URL="/"), nor the developer's .env. */
function serverEnv(cluster: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    LOG_LEVEL: "error",
    CLIENT_DIST: "",
    SEED: "false",
    ENV_FILE: "/dev/null",
    ...cluster,
  };
}

function listen(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/**
 * `count` consecutive ports free on 127.0.0.1. Below the kernel's ephemeral range (32768 and
 * up), so servers elsewhere on port 0 cannot be handed them between this check and the start.
 */
async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const held = await Promise.all(Array.from({ length: count }, (_, i) => listen(first + i)));
    await Promise.all(held.map((s) => s && new Promise((resolve) => s.close(resolve))));
    if (held.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports from 20000 to 32000`);
}

describe("the local cluster script", { timeout: 120_000 }, () => {
  it("starts processes on consecutive ports that share one database and trust each other's origins, and stops them with 1001 and exit code 0", async () => {
    const env = serverEnv(await testClusterEnv());
    const port = await consecutiveFreePorts(2);
    const cluster = await startLocalCluster({ processes: 2, port, env });
    onTestFinished(async () => void (await cluster.stop(2000)));
    expect(cluster.processes.map((p) => p.port)).toEqual([port, port + 1]);
    const [url0, url1] = cluster.urls as [string, string];
    expect([url0, url1]).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
    for (const url of cluster.urls)
      await waitFor(async () => (await fetch(`${url}/api/ready`)).status === 200, `${url}/api/ready`);

    // Signed up on process 0; signed in on process 1 from a page process 0 served (its Origin).
    const first = connectTo(url0, url0);
    const second = connectTo(url1, url0);
    onTestFinished(() => first.cleanup());
    onTestFinished(() => second.cleanup());
    const alice = await first.signUp("Alice");
    const bob = await second.signUp("Bob");
    const aliceOnSecond = await second.signInAgain(alice);
    const created = await second.conversation(aliceOnSecond, bob);
    const listed = await first.api<{ conversations: ConversationSummary[] }>("GET", "/api/conversations", alice);
    expect(listed.body.conversations.map((c) => c.id)).toEqual([created.id]);
    const socket = second.rawSocket(aliceOnSecond, inboxDocName(alice.id), { origin: url0 });
    expect(await socket.opened).toBe(true);
    // The document loaded (the relay's first sync frame): the socket is the relay's, not just upgraded.
    await waitFor(() => socket.received.length > 0, "the relay's first frame");

    expect(await cluster.stop()).toEqual([0, 0]);
    expect(await waitFor(() => socket.closeCode, "the socket closed")).toBe(CLOSE_CODES.GOING_AWAY);
  });

  it("stops the processes that started and rejects, naming the one that could not, when a port is taken", async () => {
    const env = serverEnv(await testClusterEnv());
    const port = await consecutiveFreePorts(2);
    const taken = await listen(port + 1);
    onTestFinished(() => void taken?.close());
    expect(taken).not.toBeNull();

    await expect(startLocalCluster({ processes: 2, port, env })).rejects.toThrow(
      new RegExp(`process 1 \\(port ${port + 1}\\) exited \\(1\\) before it was running:[\\s\\S]*already in use`),
    );
    // Process 0 was running when process 1 gave up (every process settles first), and is gone.
    const free = await listen(port);
    expect(free).not.toBeNull();
    await new Promise((resolve) => free?.close(resolve));
  });

  it("as a command, prefixes each process's lines with its index and on SIGTERM stops them and exits 0", async () => {
    const env = serverEnv(await testClusterEnv());
    const port = await consecutiveFreePorts(2);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/cluster.ts", "--processes", "2", "--port", `${port}`],
      {
        cwd: path.join(REPO_ROOT, "sync-server"),
        env,
        stdio: ["ignore", "pipe", "pipe"],
        // Its own process group, so a failed test can kill the servers with it.
        detached: true,
      },
    );
    onTestFinished(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | string>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
    );
    await waitFor(() => output.includes("stops them:"), "the cluster's summary", 60_000);
    expect(output).toContain(`[0] Messenger is running at http://127.0.0.1:${port}\n`);
    expect(output).toContain(`[1] Messenger is running at http://127.0.0.1:${port + 1}\n`);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("[0] SIGTERM: shutting down\n");
    expect(output).toContain("[1] SIGTERM: shutting down\n");
  });

  it("creates the database DATABASE_URL names when it is missing, and leaves one that exists alone", async () => {
    const server = await createTestDatabase(); // only for the server's address and credentials
    onTestFinished(() => server.drop());
    const url = new URL(server.url);
    url.pathname = `/${url.pathname.slice(1)}_cluster`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    onTestFinished(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
    });
    const exists = async () =>
      (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [url.pathname.slice(1)])).rowCount === 1;

    expect(await exists()).toBe(false);
    await createDatabaseIfMissing(url.toString());
    expect(await exists()).toBe(true);
    const inside = new pg.Client({ connectionString: url.toString() });
    await inside.connect();
    await inside.query("CREATE TABLE kept (id INTEGER)");
    await inside.end();

    await createDatabaseIfMissing(url.toString());
    const again = new pg.Client({ connectionString: url.toString() });
    await again.connect();
    const kept = await again.query("SELECT to_regclass('kept') AS t");
    await again.end();
    expect(kept.rows[0]?.t).toBe("kept");
  });
});
