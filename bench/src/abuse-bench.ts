/**
 * Bench 5: what one abusive user can do to our server (issue 6, relay hardening). It
 * prints figures and never asserts; it records whatever the server does (refused
 * upgrades, close codes) rather than assuming a limit, so it runs against the server
 * with or without the hardening.
 *
 * One user, the attacker, is a member of a big conversation (one full segment of
 * SEGMENT_MESSAGES messages, written by the relay's bulk writer) and of a small one.
 *   1. slow readers     K sockets ask for the big segment again and again and never read
 *   2. health           GET /api/health every 20 ms, with no flood, then under two floods
 *                       from 16 sockets: sync step 1 on the big segment, valid messages
 *   3. honest clients   two other users exchange a message every 100 ms meanwhile
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { conversationDocName, SEGMENT_MESSAGES } from "@messenger/shared";
import {
  type FloodOptions,
  type FloodRow,
  type FloodSpec,
  floodRow,
  HONEST_LOST_AFTER_MS,
  HONEST_RATE_PER_CLIENT,
  RECOVER_MAX_MS,
} from "./abuse/flood-rows.js";
import { PROBE_TIMEOUT_MS } from "./abuse/health-probe.js";
import { type SlowReaderRow, slowReaders } from "./abuse/slow-readers.js";
import { tally } from "./abuse/sockets.js";
import { type BenchUser, createConversation, seedMessages, signUpMany, startOurServer } from "./lib/our-server.js";
import { fmt, fmtBytes } from "./lib/stats.js";
import { printTable } from "./lib/table.js";
import { directRoom, ourTarget } from "./relay/targets.js";

export interface AbuseOptions extends FloodOptions {
  /** Slow-reader rows: K sockets each. */
  slowReaderSockets: number[];
  step1PerSocket: number;
  sampleMs: number;
}

export const ABUSE_DEFAULTS: AbuseOptions = {
  slowReaderSockets: [3, 8, 16],
  step1PerSocket: 50,
  sampleMs: 8000,
  sockets: 16,
  // The documented frame refill (docs/architecture.md § Limits: a burst of 300, then 60 a
  // second per socket): the most a flood socket can send without the old budget closing it.
  framesPerSecond: 60,
  probeMs: 10_000,
  honestMessagesPerClient: 50,
  rssGuardBytes: 2 * 1024 ** 3,
};

export async function abuseBench(options: Partial<AbuseOptions> = {}) {
  const o = { ...ABUSE_DEFAULTS, ...options };
  const dataDir = mkdtempSync(path.join(tmpdir(), "messenger-bench-abuse-"));
  const start = () => startOurServer({ dataDir });
  let server = await start();
  try {
    // Five sign-ups: within better-auth's 10 per IP per 10 minutes (and each restart resets its memory).
    const [attacker, partner, partner2, alice, bob] = (await signUpMany(
      server,
      `abuse${Date.now().toString(36)}u`,
      5,
    )) as [BenchUser, BenchUser, BenchUser, BenchUser, BenchUser];
    const big = await createConversation(server, attacker, partner);
    const small = await createConversation(server, attacker, partner2);
    const honestRoom = await directRoom(server, alice, bob);
    await server.stop();
    const seeded = await seedMessages(dataDir, [
      { conversationId: big.id, count: SEGMENT_MESSAGES, authors: [attacker.id, partner.id] },
    ]);
    const bigDoc = conversationDocName(big.id, 0);
    const smallDoc = conversationDocName(small.id, 0);

    let t0 = performance.now();
    const slow = await slowReaders(start, attacker, bigDoc, {
      sockets: o.slowReaderSockets,
      step1PerSocket: o.step1PerSocket,
      sampleMs: o.sampleMs,
    });
    const slowSeconds = (performance.now() - t0) / 1000;
    printSlowReaders(o, slow, seeded.ms, slowSeconds);

    t0 = performance.now();
    server = await start();
    const target = ourTarget(server);
    const honest = { ...target, rooms: async () => [honestRoom] };
    const specs: FloodSpec[] = [
      { name: "no flood", mode: null, docName: bigDoc },
      { name: "sync step 1 flood", mode: "sync", docName: bigDoc },
      { name: "message flood", mode: "update", docName: smallDoc },
    ];
    const floods: FloodRow[] = [];
    for (const spec of specs) {
      floods.push(await floodRow(server, honest, attacker, spec, o));
      process.stdout.write(`  abuse: ${spec.name} done\n`);
    }
    const floodSeconds = (performance.now() - t0) / 1000;
    printFloods(o, floods, floodSeconds);
    return { options: o, seededMs: seeded.ms, slow, slowSeconds, floods, floodSeconds };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => fmt(bytes / 1024 / 1024);

function printSlowReaders(o: AbuseOptions, rows: SlowReaderRow[], seededMs: number, seconds: number) {
  printTable(
    `Abuse 1, slow readers: one user, K sockets on one ${SEGMENT_MESSAGES}-message segment, ${o.step1PerSocket} x sync step 1 (empty state vector) each, never reading (${fmt(seconds)} s)`,
    [
      "K",
      "open",
      "refused",
      "reply",
      "RSS before",
      "peak",
      "growth MB",
      "MB/socket",
      "after close",
      "kernel TCP",
      "health p99",
      "max",
      "CPU s",
      "server ended them",
      "drained",
      "load",
      "s",
    ],
    rows.map((r) => {
      const growth = r.rssPeakBytes - r.rssBeforeBytes;
      return [
        String(r.sockets),
        String(r.opened),
        tally(r.refused),
        fmtBytes(r.replyBytes),
        fmtBytes(r.rssBeforeBytes),
        fmtBytes(r.rssPeakBytes),
        mb(growth),
        r.opened > 0 ? mb(growth / r.opened) : "–",
        fmtBytes(r.rssAfterBytes),
        fmtBytes(r.tcpKernelGrowthBytes),
        fmt(r.health.latencyMs.p99),
        fmt(r.health.latencyMs.max),
        fmt(r.serverCpuMs / 1000),
        tally(r.ended),
        fmtBytes(r.drainedBytes),
        fmt(r.loadAvg),
        fmt(r.seconds),
      ];
    }),
    [
      `reply = one sync step 2 of the whole segment (what each step 1 costs the server to encode and hold); ${o.step1PerSocket} per socket asked for ${o.step1PerSocket} x reply`,
      `RSS = server process (VmRSS), sampled every 250 ms for ${fmt(o.sampleMs / 1000)} s after the frames were sent; growth = peak - before; MB/socket = growth / open sockets`,
      "after close = RSS 1 s after the bench closed the sockets; kernel TCP = peak growth of /proc/net/sockstat TCP memory (machine-wide, both ends): buffered bytes not in RSS",
      "health p99 / max = GET /api/health ms during the window (20 ms apart): the event-loop stall the encoding causes; CPU s = server CPU in the window",
      `server ended them = close code seen once the sockets read again (up to 2 s), or still open; drained = bytes they then received; seed: ${fmt(seededMs / 1000)} s; one fresh server per row`,
      ...rows.filter((r) => r.endedWith.length > 0).map((r) => `K=${r.sockets} close reasons: ${tally(r.endedWith)}`),
    ],
  );
}

function printFloods(o: AbuseOptions, rows: FloodRow[], seconds: number) {
  printTable(
    `Abuse 2, GET /api/health every 20 ms for ${fmt(o.probeMs / 1000)} s while one user floods from ${o.sockets} sockets at ${o.framesPerSecond} frames/s each (${fmt(seconds)} s)`,
    [
      "row",
      "probes",
      "p50",
      "p95",
      "p99",
      "max",
      "failed",
      "prober p99",
      "server CPU",
      "RSS peak",
      "recover s",
      "load",
      "s",
    ],
    rows.map((r) => [
      r.name,
      String(r.health.latencyMs.count),
      fmt(r.health.latencyMs.p50),
      fmt(r.health.latencyMs.p95),
      fmt(r.health.latencyMs.p99),
      fmt(r.health.latencyMs.max),
      tally(r.health.failures),
      fmt(r.health.proberLoopP99Ms),
      `${fmt(r.serverCpuPercent, 0)}%`,
      fmtBytes(r.rssPeakBytes),
      !r.flood ? "–" : Number.isNaN(r.recoverMs) ? `> ${fmt(RECOVER_MAX_MS / 1000, 0)}` : fmt(r.recoverMs / 1000),
      fmt(r.loadAvg),
      fmt(r.seconds),
    ]),
    [
      `latency in ms, one request at a time from the bench process; failed = no 200 within ${fmt(PROBE_TIMEOUT_MS / 1000, 0)} s, counted in the percentiles as ${fmt(PROBE_TIMEOUT_MS / 1000, 0)} s`,
      "prober p99 = the bench process's own event-loop delay: high means a slow prober, not a slow server",
      "server CPU = server process CPU / wall time during the probe (100% = one core); recover s = from the flood's end until two probes in a row answer within 50 ms",
      `RSS peak = server process, sampled every 250 ms (the flood is stopped if it passes ${fmtBytes(o.rssGuardBytes)}: ${rows.some((r) => r.guardTripped) ? "it did" : "it did not"})`,
    ],
  );
  printTable(
    "Abuse 3, two honest users in their own conversation, a message every 100 ms (stock y-websocket provider), during the same rows",
    [
      "row",
      "msgs",
      "p50",
      "p99",
      "max",
      "lost",
      "honest closes",
      "fresh sync ms",
      "flood opened",
      "refused",
      "closed",
      "frames/s",
      "MB in",
    ],
    rows.map((r) => {
      const h = "failed" in r.honest ? null : r.honest;
      return [
        r.name,
        h ? String(h.paced.delivered) : "failed",
        h ? fmt(h.paced.latencyMs.p50) : "–",
        h ? fmt(h.paced.latencyMs.p99) : "–",
        h ? fmt(h.paced.latencyMs.max) : "–",
        h ? String(h.paced.lost) : "–",
        h ? tally(h.closeCodes) : "–",
        Number.isNaN(r.freshSyncMs) ? `> ${fmt(o.probeMs / 1000, 0)} s` : fmt(r.freshSyncMs),
        r.flood ? String(r.flood.opened) : "–",
        r.flood ? tally(r.flood.refused) : "–",
        r.flood ? tally(r.flood.closes) : "–",
        r.flood && r.flood.seconds > 0 ? fmt(r.flood.framesSent / r.flood.seconds, 0) : "–",
        r.flood ? mb(r.flood.bytesReceived) : "–",
      ];
    }),
    [
      `latency = ms from one honest client's write to the other's map observer (same process, one clock); ${o.honestMessagesPerClient} messages each at ${HONEST_RATE_PER_CLIENT}/s; lost = not seen ${fmt(HONEST_LOST_AFTER_MS / 1000, 0)} s after the last write`,
      "the pair connects and syncs before the flood starts; honest closes = close codes its sockets saw (the provider reconnects); – = none",
      `fresh sync ms = a new socket of the same honest user opening its conversation 1 s into the flood, until synced (gives up after ${fmt(o.probeMs / 1000, 0)} s)`,
      ...rows.flatMap((r) => ("failed" in r.honest ? [`${r.name}: the honest pair failed: ${r.honest.failed}`] : [])),
      ...rows.flatMap((r) =>
        r.flood && r.flood.closeReasons.length > 0 ? [`${r.name} close reasons: ${tally(r.flood.closeReasons)}`] : [],
      ),
      "flood: sockets opened (reconnects included, 250 ms after a close or refusal), refused upgrades by answer, close codes the server sent, frames sent per second in total, MB the flood sockets received",
      "sync step 1 flood: each frame asks for the whole segment; message flood: each frame is one valid new message in the attacker's small conversation",
    ],
  );
}
