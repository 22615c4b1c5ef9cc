/**
 * Scenario 1, slow readers: one user opens K sockets on a big document, asks for all of
 * it (sync step 1, empty state vector) `step1PerSocket` times on each, and never reads.
 * The server's answers pile up in the kernel's socket buffers and then in the server
 * process, unless it limits what it buffers per socket. One fresh server per K, so each
 * row starts from the same baseline.
 */
import os from "node:os";
import type { BenchUser, OurServer } from "../lib/our-server.js";
import { readTcpMemBytes, sampleGauge } from "../lib/processes.js";
import { sleep } from "../lib/wait.js";
import { type HealthProbe, probeHealth } from "./health-probe.js";
import { type AbusiveSocket, emptySyncStep1Frame, openSocket } from "./sockets.js";

export interface SlowReaderOptions {
  sockets: number[];
  step1PerSocket: number;
  sampleMs: number;
}

export interface SlowReaderRow {
  sockets: number;
  opened: number;
  refused: string[];
  framesSent: number;
  /** One sync step 2 answer for the whole document, measured by a socket that reads. */
  replyBytes: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  /** Peak growth of the kernel's TCP buffers (machine-wide, both ends of every socket). */
  tcpKernelGrowthBytes: number;
  health: HealthProbe;
  serverCpuMs: number;
  /** Per opened socket: the close code seen once it read again, or "still open". */
  ended: string[];
  /** The same as "<code> <reason>". */
  endedWith: string[];
  /** What the paused sockets received in total once they read again. */
  drainedBytes: number;
  loadAvg: number;
  seconds: number;
}

const SAMPLE_INTERVAL_MS = 250;
const HEALTH_INTERVAL_MS = 20;
const OPEN_TIMEOUT_MS = 5000;
/** After resuming: stop waiting once nothing arrived for QUIET_MS, or after DRAIN_MAX_MS. */
const QUIET_MS = 500;
const DRAIN_MAX_MS = 2000;
const SETTLE_MS = 500;
const AFTER_CLOSE_MS = 1000;

export async function slowReaders(
  start: () => Promise<OurServer>,
  user: BenchUser,
  docName: string,
  o: SlowReaderOptions,
): Promise<SlowReaderRow[]> {
  const rows: SlowReaderRow[] = [];
  for (const k of o.sockets) {
    const server = await start();
    try {
      rows.push(await row(server, user, `${server.wsUrl}/${docName}`, k, o));
    } finally {
      await server.stop();
    }
    process.stdout.write(`  abuse: slow readers x${k} done\n`);
  }
  return rows;
}

async function row(server: OurServer, user: BenchUser, url: string, k: number, o: SlowReaderOptions) {
  const t0 = performance.now();
  // Loads the room first, so the baseline holds the document and the growth is the sockets'.
  const replyBytes = await measureReply(url, user.headers);
  await sleep(SETTLE_MS);
  const rssBeforeBytes = server.child.rss();
  const tcpBefore = readTcpMemBytes();
  const cpuBefore = server.child.cpuMs();

  const outcomes = await Promise.all(Array.from({ length: k }, () => openSocket(url, user.headers, OPEN_TIMEOUT_MS)));
  const sockets: AbusiveSocket[] = [];
  const refused: string[] = [];
  for (const outcome of outcomes) {
    if ("refused" in outcome) refused.push(outcome.refused);
    else sockets.push(outcome.socket);
  }
  const rss = sampleGauge(() => server.child.rss(), SAMPLE_INTERVAL_MS);
  const tcp = sampleGauge(readTcpMemBytes, SAMPLE_INTERVAL_MS);
  const frame = emptySyncStep1Frame();
  let framesSent = 0;
  for (const s of sockets) {
    s.ws.pause();
    for (let i = 0; i < o.step1PerSocket; i++, framesSent++) s.ws.send(frame);
  }
  const health = await probeHealth(server.baseUrl, o.sampleMs, HEALTH_INTERVAL_MS);
  rss.stop();
  tcp.stop();
  const serverCpuMs = server.child.cpuMs() - cpuBefore;

  // Read again: whatever the server kept for these sockets arrives, then its close frame if it sent one.
  const received = () => sockets.reduce((n, s) => n + s.bytesReceived, 0);
  for (const s of sockets) s.ws.resume();
  const drainStart = performance.now();
  let last = -1;
  let lastChange = drainStart;
  while (performance.now() - drainStart < DRAIN_MAX_MS && performance.now() - lastChange < QUIET_MS) {
    const now = received();
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    }
    await sleep(50);
  }
  const ended = sockets.map((s) => (s.closeCode === null ? "still open" : String(s.closeCode)));
  const endedWith = sockets.map((s) => s.closedWith ?? "still open");
  const drainedBytes = received();
  for (const s of sockets) s.ws.terminate();
  await sleep(AFTER_CLOSE_MS);
  return {
    sockets: k,
    opened: sockets.length,
    refused,
    framesSent,
    replyBytes,
    rssBeforeBytes,
    rssPeakBytes: Math.max(rssBeforeBytes, rss.peak()),
    rssAfterBytes: server.child.rss(),
    tcpKernelGrowthBytes: Math.max(0, tcp.peak() - tcpBefore),
    health,
    serverCpuMs,
    ended,
    endedWith,
    drainedBytes,
    loadAvg: os.loadavg()[0] ?? Number.NaN,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Size of the server's sync step 2 for the whole document, from one socket that reads. */
async function measureReply(url: string, headers: Record<string, string>): Promise<number> {
  const outcome = await openSocket(url, headers, OPEN_TIMEOUT_MS);
  if ("refused" in outcome) throw new Error(`the reading socket was refused: ${outcome.refused}`);
  const { ws } = outcome.socket;
  try {
    const reply = new Promise<number>((resolve) => {
      ws.on("message", (data: Buffer) => {
        // varuint 0 (sync), varuint 1 (step 2): the answer to our step 1.
        if (data[0] === 0 && data[1] === 1) resolve(data.byteLength);
      });
    });
    ws.send(emptySyncStep1Frame());
    return await Promise.race([reply, sleep(OPEN_TIMEOUT_MS).then(() => Number.NaN)]);
  } finally {
    ws.terminate();
  }
}
