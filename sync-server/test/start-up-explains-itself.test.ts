import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { spawnServer } from "./helpers/process.js";

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-start-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One line that says what is wrong, and no stack trace. */
function expectOneSentence(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.trim().split("\n")).toHaveLength(1);
}

// Each test starts a server process, which loads the whole server through tsx first.
describe("start-up", { timeout: 120_000 }, () => {
  it("explains a taken port in one sentence and exits 1", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    const server = spawnServer({ PORT: String(port), DATA_DIR: tempDir() });
    expect(await server.exited).toBe(1);
    expectOneSentence(
      server.stderr,
      new RegExp(`^Messenger cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use.*set PORT`),
    );
  });

  it("reports every bad variable at once, from the environment and the .env file, and exits 78", async () => {
    const envFile = path.join(tempDir(), ".env");
    fs.writeFileSync(envFile, "SESSION_IDLE_DAYS=none\nLOG_LEVEL=loud\n");
    // The real environment wins over the file: its LOG_LEVEL is fine.
    const server = spawnServer({
      ENV_FILE: envFile,
      PORT: "http",
      SEED: "maybe",
      LOG_LEVEL: "error",
      DATA_DIR: tempDir(),
    });
    expect(await server.exited).toBe(78);
    expect(server.stderr).toMatch(/^Messenger cannot start: fix these variables:/);
    expect(server.stderr).toMatch(/PORT=http is not a whole number/);
    expect(server.stderr).toMatch(/SEED=maybe must be true or false/);
    expect(server.stderr).toMatch(/SESSION_IDLE_DAYS=none/);
    expect(server.stderr).not.toMatch(/LOG_LEVEL/);
    expect(server.stderr).not.toMatch(/^\s+at /m);
  });

  it("explains a DATA_DIR that is a file and exits 1", async () => {
    const file = path.join(tempDir(), "not-a-directory");
    fs.writeFileSync(file, "");
    const server = spawnServer({ DATA_DIR: file });
    expect(await server.exited).toBe(1);
    expectOneSentence(server.stderr, /^Messenger cannot start: DATA_DIR .*not-a-directory is not a directory/);
  });

  it("explains a DATA_DIR this user cannot write and exits 1", async () => {
    const dir = tempDir();
    const asRoot = process.getuid?.() === 0;
    // Root writes anywhere, so run the server as nobody against a directory root owns.
    fs.chmodSync(dir, asRoot ? 0o755 : 0o555);
    onTestFinished(() => fs.chmodSync(dir, 0o755));
    const server = spawnServer({ DATA_DIR: dir }, asRoot ? { uid: 65534, gid: 65534 } : {});
    expect(await server.exited).toBe(1);
    expectOneSentence(server.stderr, /^Messenger cannot start: DATA_DIR .* cannot be read or written by this user/);
  });

  it("explains a DATABASE_URL whose PostgreSQL cannot be reached, without its password, and exits 1", async () => {
    // A closed port on this machine: nothing listens there.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const server = spawnServer({ DATABASE_URL: `postgres://messenger:hunter2secret@127.0.0.1:${port}/messenger` });
    expect(await server.exited).toBe(1);
    expectOneSentence(server.stderr, /^Messenger cannot start: the PostgreSQL server in DATABASE_URL .*DATABASE_URL/);
    expect(server.stderr).not.toContain("hunter2secret");
  });

  it("refuses a DATABASE_URL that is not a PostgreSQL URL and exits 78", async () => {
    const server = spawnServer({ DATABASE_URL: "mysql://localhost/messenger", DATA_DIR: tempDir() });
    expect(await server.exited).toBe(78);
    expectOneSentence(server.stderr, /^Messenger cannot start: DATABASE_URL must be a PostgreSQL URL/);
  });
});
