/**
 * Servers under test run as child processes, so their CPU and memory are not mixed
 * with the clients' and their RSS can be read from /proc. Every child is killed when
 * the bench process exits, however it exits.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { withTimeout } from "./wait.js";

export const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const STOP_GRACE_MS = 5000;

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface Child {
  readonly pid: number;
  /** Lines the child wrote to stdout and stderr (the last 200), for error reports. */
  readonly output: string[];
  /** Resident set size in bytes, from /proc; NaN once the process is gone. */
  rss(): number;
  /** CPU time used so far (user + system) in ms, from /proc; NaN once the process is gone. */
  cpuMs(): number;
  /** Resolves with the first stdout line that parses as JSON and satisfies `pick`. */
  waitForJson<T>(pick: (value: unknown) => T | undefined, timeoutMs: number): Promise<T>;
  exited(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** BENCH_PROFILE_DIR=<dir>: every server process writes a V8 CPU profile there when it exits. */
const PROFILE_ARGS = process.env.BENCH_PROFILE_DIR
  ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
  : [];

/**
 * Starts `node --import tsx <script>` (the same loader for our server and the peers);
 * `nodeArgs` go after the loader, so they may `--import` TypeScript too.
 */
export function startNode(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): Child {
  const proc = spawn(process.execPath, [...PROFILE_ARGS, "--import", "tsx", ...nodeArgs, script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  const output: string[] = [];
  const jsonListeners = new Set<(line: string) => void>();
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    proc.on("exit", () => {
      exited = true;
      running.delete(proc);
      resolve();
    });
  });
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      output.push(line);
      if (output.length > 200) output.shift();
      for (const l of jsonListeners) l(line);
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);

  return {
    pid: proc.pid ?? -1,
    output,
    rss: () => readRss(proc.pid ?? -1),
    cpuMs: () => readCpuMs(proc.pid ?? -1),
    exited: () => exited,
    waitForJson<T>(pick: (value: unknown) => T | undefined, timeoutMs: number) {
      const found = new Promise<T>((resolve, reject) => {
        const listener = (line: string) => {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            return;
          }
          const picked = pick(value);
          if (picked !== undefined) {
            jsonListeners.delete(listener);
            resolve(picked);
          }
        };
        jsonListeners.add(listener);
        void exit.then(() => reject(new Error(`${script} exited early:\n${output.join("\n")}`)));
      });
      return withTimeout(found, timeoutMs, `${script} to report readiness`);
    },
    async stop(graceMs = STOP_GRACE_MS) {
      if (exited) return;
      proc.kill("SIGTERM");
      try {
        await withTimeout(exit, graceMs, `${script} to stop`);
      } catch {
        proc.kill("SIGKILL");
        await withTimeout(exit, STOP_GRACE_MS, `${script} to die`);
      }
    },
  };
}

/** Forks `node --import tsx <script>` with an IPC channel (process.send), killed with the bench like every child. */
export function forkNode(script: string): ChildProcess {
  const proc = fork(script, [], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(proc);
  proc.on("exit", () => running.delete(proc));
  return proc;
}

export function readRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface GaugeSampler {
  /** Every sample so far, with the ms since the sampler started. */
  readonly samples: Array<{ ms: number; value: number }>;
  /** The largest sample so far (NaN before the first). */
  peak(): number;
  stop(): void;
}

/** Reads `read` (an RSS, a byte count) now and every `intervalMs` until stopped: peaks a before/after pair misses. */
export function sampleGauge(read: () => number, intervalMs: number): GaugeSampler {
  const t0 = performance.now();
  const samples: Array<{ ms: number; value: number }> = [];
  const take = () => {
    const value = read();
    if (!Number.isNaN(value)) samples.push({ ms: performance.now() - t0, value });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    peak: () => (samples.length ? Math.max(...samples.map((s) => s.value)) : Number.NaN),
    stop: () => clearInterval(timer),
  };
}

/** The kernel's TCP buffer memory (all sockets, both ends), from /proc/net/sockstat; NaN if unreadable. */
export function readTcpMemBytes(): number {
  try {
    const pages = /^TCP:.* mem (\d+)/m.exec(readFileSync("/proc/net/sockstat", "utf8"))?.[1];
    // sockstat counts pages; 4 KiB on every x86-64 and arm64 Linux this runs on.
    return pages ? Number(pages) * 4096 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on (USER_HZ). */
const CLOCK_TICKS_PER_S = 100;

/** utime + stime of a process in ms. CPU time is much less disturbed by other load on the machine than wall time. */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that need PORT up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The first of `count` consecutive ports that were all free a moment ago (for servers on P, P+1, …). */
export async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await freePort();
    let free = first + count - 1 <= 65535;
    for (let port = first + 1; port < first + count && free; port++) free = await portFree(port);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
