import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { addMessage, conversationDocName, type Message, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { testStoreEnv } from "../src/store/test-env.js";
import { connectTo, waitFor } from "./helpers/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const entry = path.join(repoRoot, "sync-server", "src", "main.ts");
const BASE_URL = "http://localhost:3000";

/** Starts the server as its own process on DATA_DIR (and the test's database); resolves with its port. */
async function spawnServer(
  dataDir: string,
  storeEnv: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: repoRoot,
    // Not process.env: vitest puts Vite's BASE_URL="/" there.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BASE_URL,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "error",
      CLIENT_DIST: "",
      SEED: "false",
      ...storeEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  onTestFinished(() => void child.kill("SIGKILL"));
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /running at http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
  return { child, port };
}

// Two server processes start here; each loads the whole server through tsx.
describe("durability", { timeout: 120_000 }, () => {
  it("a server killed with SIGKILL mid-stream restarts with every acknowledged message", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-kill-"));
    onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const storeEnv = await testStoreEnv();
    const first = await spawnServer(dataDir, storeEnv);
    const baseUrl = BASE_URL;
    const c1 = connectTo(`http://127.0.0.1:${first.port}`, baseUrl);
    onTestFinished(() => c1.cleanup());
    const [alice, bob] = [await c1.signUp("Alice"), await c1.signUp("Bob")];
    const conv = await c1.conversation(alice, bob);
    const name = conversationDocName(conv.id, 0);
    const a = c1.provider(alice, name);
    const b = c1.provider(bob, name);
    await waitFor(() => a.provider.synced && b.provider.synced, "synced");

    const posted = newMessageId();
    expect(
      (await c1.api("POST", `/api/conversations/${conv.id}/messages`, bob, { id: posted, text: "over http" })).status,
    ).toBe(201);
    // Alice keeps writing; the moment Bob has received 25 of them, the server dies.
    let seenAtKill: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 500; i++) {
        addMessage(a.doc, { id: newMessageId(), author: alice.id, text: `message ${i}`, createdAt: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitFor(() => {
      if (messagesMap(b.doc).size < 26) return false;
      seenAtKill = [...messagesMap(b.doc).keys()];
      first.child.kill("SIGKILL");
      return true;
    }, "bob received 25 messages");
    writing = false;
    await writer;
    await c1.cleanup();
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await spawnServer(dataDir, storeEnv);
    const c2 = connectTo(`http://127.0.0.1:${second.port}`, baseUrl);
    onTestFinished(() => c2.cleanup());
    const fresh = c2.provider(bob, name);
    await waitFor(() => fresh.provider.synced, "resynced after restart");
    const after = new Set(messagesMap(fresh.doc).keys());
    expect(seenAtKill.filter((id) => !after.has(id))).toEqual([]);
    expect(after.has(posted)).toBe(true);
    const page = await c2.api<{ messages: Message[] }>("GET", `/api/conversations/${conv.id}/messages?limit=200`, bob);
    const indexed = new Set(page.body.messages.map((m) => m.id));
    expect(seenAtKill.filter((id) => !indexed.has(id))).toEqual([]);
  });
});
