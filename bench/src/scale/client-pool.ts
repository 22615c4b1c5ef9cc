/**
 * The scale bench's client side: CLIENT_PROCESSES forked processes (client-worker.ts),
 * each holding the writers of every other room, so both clients of a conversation share
 * one process and one clock. Every command goes to all of them; the answer is theirs
 * merged. Their CPU is read from /proc, to show when the clients, not the server, limit.
 */
import path from "node:path";
import { forkNode, REPO_ROOT, readCpuMs } from "../lib/processes.js";
import { withTimeout } from "../lib/wait.js";
import type { Room } from "../relay/scenario.js";
import type { Protocol } from "./light-client.js";
import type { Command, PhaseReport, SyncReport } from "./worker-protocol.js";

/** One per core of the 2-core machine the bench is sized for. */
export const CLIENT_PROCESSES = 2;
/** Beyond a command's own timeout: IPC, and a worker finishing its last tick. */
const REPLY_GRACE_MS = 30_000;

export interface ClientPool {
  setup(protocol: Protocol, url: string, rooms: Room[]): Promise<void>;
  connect(concurrency: number, timeoutMs: number): Promise<SyncReport>;
  /** `perSecond` in total, split evenly over the processes. */
  pace(perSecond: number, durationMs: number, drainMs: number): Promise<PhaseReport>;
  saturate(window: number, durationMs: number, drainMs: number): Promise<PhaseReport>;
  drop(timeoutMs: number): Promise<SyncReport>;
  /** Resolves once every writer synced again after the call (send it before a restart). */
  resync(timeoutMs: number): Promise<SyncReport>;
  /** Idle sockets in total, split evenly over the processes. */
  idle(total: number, concurrency: number, timeoutMs: number): Promise<SyncReport>;
  /** Closes the idle sockets (the writers stay). */
  closeIdle(): Promise<void>;
  /** Closes every socket. */
  close(): Promise<void>;
  /** CPU ms used so far by all client processes. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Client processes forked from one script, each running its commands one at a time: a
 * command goes as `{seq, ...command}` and the worker answers `{seq, ...reply}`, or `{seq, error}`.
 */
export interface Workers<C extends { cmd: string }> {
  readonly count: number;
  /** Sends `command(i)` to worker i, resolves with every reply (throws on a worker's error). */
  all<T>(command: (i: number) => C, timeoutMs: number): Promise<T[]>;
  /** CPU ms used so far by all of them. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Forks `count` workers of `script` under tsx, with IPC (killed with the bench like every child). */
export function forkWorkers<C extends { cmd: string }>(script: string, count = CLIENT_PROCESSES): Workers<C> {
  const workers = Array.from({ length: count }, () => forkNode(script));
  let seq = 0;
  type Answer = { seq: number; error?: string };
  const waiting = new Map<number, (reply: Answer) => void>();
  for (const w of workers) {
    w.on("message", (reply: Answer) => waiting.get(reply.seq)?.(reply));
  }
  return {
    count,
    async all<T>(command: (i: number) => C, timeoutMs: number): Promise<T[]> {
      const replies = workers.map((w, i) => {
        const n = ++seq;
        const reply = new Promise<Answer>((resolve) => waiting.set(n, resolve));
        w.send({ seq: n, ...command(i) });
        return withTimeout(reply, timeoutMs + REPLY_GRACE_MS, `client process ${i}: ${command(i).cmd}`).finally(() =>
          waiting.delete(n),
        );
      });
      const out = await Promise.all(replies);
      for (const r of out) if (r.error !== undefined) throw new Error(`client process: ${r.error}`);
      return out as unknown as T[];
    },
    cpuMs: () => workers.reduce((n, w) => n + readCpuMs(w.pid ?? -1), 0),
    async stop() {
      for (const w of workers) w.disconnect();
      await Promise.all(
        workers.map((w) => new Promise((resolve) => (w.exitCode === null ? w.once("exit", resolve) : resolve(null)))),
      );
    },
  };
}

export async function startClientPool(): Promise<ClientPool> {
  const pool = forkWorkers<Command>(path.join(REPO_ROOT, "bench/src/scale/client-worker.ts"));
  const all = <T>(command: (i: number) => Command, timeoutMs: number) => pool.all<T>(command, timeoutMs);
  const share = (total: number, i: number) => Math.floor(total / pool.count) + (i < total % pool.count ? 1 : 0);
  const syncs = async (command: (i: number) => Command, timeoutMs: number): Promise<SyncReport> => {
    const rs = await all<SyncReport>(command, timeoutMs);
    return { missing: rs.reduce((n, r) => n + r.missing, 0), closes: rs.flatMap((r) => r.closes) };
  };
  const phase = async (command: (i: number) => Command, timeoutMs: number): Promise<PhaseReport> => {
    const rs = await all<PhaseReport>(command, timeoutMs);
    return {
      sent: rs.reduce((n, r) => n + r.sent, 0),
      delivered: rs.reduce((n, r) => n + r.delivered, 0),
      spanMs: Math.max(...rs.map((r) => r.spanMs)),
      samples: rs.flatMap((r) => r.samples),
      closes: rs.flatMap((r) => r.closes),
    };
  };

  return {
    async setup(protocol, url, rooms) {
      await all((i) => ({ cmd: "setup", protocol, url, rooms: rooms.filter((_, r) => r % pool.count === i) }), 0);
    },
    connect: (concurrency, timeoutMs) => syncs(() => ({ cmd: "connect", concurrency, timeoutMs }), timeoutMs),
    pace: (perSecond, durationMs, drainMs) =>
      phase(() => ({ cmd: "pace", perSecond: perSecond / pool.count, durationMs, drainMs }), durationMs + drainMs),
    saturate: (window, durationMs, drainMs) =>
      phase(() => ({ cmd: "saturate", window, durationMs, drainMs }), durationMs + drainMs),
    drop: (timeoutMs) => syncs(() => ({ cmd: "drop", timeoutMs }), timeoutMs),
    resync: (timeoutMs) => syncs(() => ({ cmd: "resync", timeoutMs }), timeoutMs),
    idle: (total, concurrency, timeoutMs) =>
      syncs((i) => ({ cmd: "idle", total: share(total, i), concurrency, timeoutMs }), timeoutMs),
    async closeIdle() {
      await all(() => ({ cmd: "closeIdle" }), 0);
    },
    async close() {
      await all(() => ({ cmd: "close" }), 0);
    },
    cpuMs: () => pool.cpuMs(),
    stop: () => pool.stop(),
  };
}
