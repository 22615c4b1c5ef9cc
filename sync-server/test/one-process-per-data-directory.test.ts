import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { spawnServer } from "./helpers/process.js";
import { startTestServer } from "./helpers/server.js";

// Two server processes start here; each loads the whole server through tsx.
describe("one process per SQLite data directory", { timeout: 120_000 }, () => {
  it("refuses a second process on the same DATA_DIR with one sentence, and a kill -9 leaves no stale lock", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-lock-"));
    onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = spawnServer({ DATA_DIR: dataDir });
    await first.running;

    const second = spawnServer({ DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.stderr).toMatch(
      /^Messenger cannot start: another Messenger server is already using the database in DATA_DIR .*: only one process may use a SQLite data directory/,
    );
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    // The first is unharmed.
    expect((await fetch(`http://127.0.0.1:${await first.running}/api/health`)).status).toBe(200);

    first.child.kill("SIGKILL");
    await first.exited;
    const restarted = await startTestServer({ dataDir });
    expect((await restarted.signUp("Alice")).id).toBeTruthy();
  });
});
