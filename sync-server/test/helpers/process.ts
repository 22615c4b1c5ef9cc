/**
 * The server as its own process (`node --import tsx src/main.ts`, or any entry), for
 * what only a process shows: exit codes, what it prints, signals, two processes at once.
 * Every child is killed when the test finishes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SOURCE_ENTRY = path.join(REPO_ROOT, "sync-server", "src", "main.ts");

export interface ServerProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** The port from "Messenger is running at …"; rejects if the process exits first. */
  running: Promise<number>;
  /** The exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export interface SpawnOptions {
  /** Node arguments before the entry; default: `--import tsx` for the TypeScript source. */
  node?: string[];
  entry?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Starts the server with exactly `env` (plus PATH and HOME; not process.env, where vitest
 * puts Vite's BASE_URL="/"), in a quiet test configuration unless `env` says otherwise.
 */
export function spawnServer(env: Record<string, string>, options: SpawnOptions = {}): ServerProcess {
  const entry = options.entry ?? SOURCE_ENTRY;
  const child = spawn(process.execPath, [...(options.node ?? ["--import", "tsx"]), entry], {
    cwd: options.cwd ?? path.join(REPO_ROOT, "sync-server"),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "error",
      CLIENT_DIST: "",
      SEED: "false",
      // Not the developer's own .env in the repository root.
      ENV_FILE: "/dev/null",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  onTestFinished(() => void child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const running = new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /running at http:\/\/\S+:(\d+)/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before running: ${stderr}`)));
  });
  running.catch(() => {}); // a test that expects an early exit never awaits it
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    running,
    exited,
  };
}
