/**
 * Child-process entry for the abuse bench: one user flooding from `sockets` sockets, in
 * its own process so that reading the server's answers does not slow the prober.
 *
 *   node --import tsx bench/src/abuse/flood-client.ts '<FloodConfig as JSON>'
 *
 * mode "sync":   sync step 1 with an empty state vector (the server answers with the whole document)
 * mode "update": one valid new message per frame, each socket from its own Y.Doc
 *
 * Each socket sends `framesPerSecond` frames (50 ms ticks, a bounded catch-up) and reads
 * whatever comes back. A socket the server closes, or an upgrade it refuses, is retried
 * after RECONNECT_DELAY_MS, as a persistent abuser would. Prints {"flooding": opened} once
 * every socket's first attempt settled, then, `durationMs` later, {"result": FloodReport}.
 */
import { sleep } from "../lib/wait.js";
import { type AbusiveSocket, emptySyncStep1Frame, messageUpdateFrames, openSocket } from "./sockets.js";

export interface FloodConfig {
  url: string;
  headers: Record<string, string>;
  sockets: number;
  mode: "sync" | "update";
  /** The attacker's user id (the author of "update" messages). */
  author: string;
  framesPerSecond: number;
  durationMs: number;
}

export interface FloodReport {
  /** Sockets that opened (reconnects included). */
  opened: number;
  /** Upgrades that did not open: "HTTP 429", "error ECONNRESET", "timeout", ... */
  refused: string[];
  /** Close codes of sockets the server (or the network) closed. */
  closes: number[];
  /** The same closes as "<code> <reason>". */
  closeReasons: string[];
  framesSent: number;
  bytesReceived: number;
  seconds: number;
}

const TICK_MS = 50;
/** Four ticks' worth at 60 frames/s: catch-up after a late tick, never a burst near a frame budget. */
const MAX_FRAMES_PER_TICK = 12;
const RECONNECT_DELAY_MS = 250;
const OPEN_TIMEOUT_MS = 5000;

const arg = process.argv[2];
if (!arg) throw new Error("usage: flood-client.ts '<FloodConfig as JSON>'");
const cfg = JSON.parse(arg) as FloodConfig;

const report: FloodReport = {
  opened: 0,
  refused: [],
  closes: [],
  closeReasons: [],
  framesSent: 0,
  bytesReceived: 0,
  seconds: 0,
};
const live = new Set<AbusiveSocket>();
const step1 = emptySyncStep1Frame();
let deadline = Number.POSITIVE_INFINITY;
let firstAttempts = 0;

const onFirstAttempt = () => {
  if (++firstAttempts < cfg.sockets) return;
  deadline = performance.now() + cfg.durationMs;
  console.log(JSON.stringify({ flooding: report.opened }));
};

async function slot(): Promise<void> {
  let first = true;
  while (performance.now() < deadline) {
    const outcome = await openSocket(cfg.url, cfg.headers, OPEN_TIMEOUT_MS);
    if (first) {
      first = false;
      onFirstAttempt();
    }
    if ("refused" in outcome) {
      report.refused.push(outcome.refused);
      await sleep(RECONNECT_DELAY_MS);
      continue;
    }
    const s = outcome.socket;
    report.opened++;
    live.add(s);
    const next = cfg.mode === "sync" ? () => step1 : messageUpdateFrames(cfg.author);
    const openedAt = performance.now();
    let sent = 0;
    let skipped = 0;
    while (s.closeCode === null && performance.now() < deadline) {
      const due = Math.floor(((performance.now() - openedAt) / 1000) * cfg.framesPerSecond) - skipped;
      // A late tick (this process starved of CPU) drops its backlog instead of bursting past the rate.
      if (due - sent > MAX_FRAMES_PER_TICK) skipped += due - sent - MAX_FRAMES_PER_TICK;
      for (const end = Math.min(due, sent + MAX_FRAMES_PER_TICK); sent < end && s.closeCode === null; sent++)
        s.ws.send(next());
      await sleep(TICK_MS);
    }
    report.framesSent += sent;
    live.delete(s);
    report.bytesReceived += s.bytesReceived;
    if (s.closeCode === null) {
      s.ws.terminate();
      break;
    }
    report.closes.push(s.closeCode);
    report.closeReasons.push(s.closedWith ?? String(s.closeCode));
    await sleep(RECONNECT_DELAY_MS);
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: cfg.sockets }, slot));
for (const s of live) s.ws.terminate();
report.seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ result: report }));
process.exit(0);
