/**
 * Bench 1: relay throughput and latency, the same scenario against our server and two
 * peers, one server at a time, each in its own process, the clients in this process.
 *
 * The run is split into rounds with the server order rotated each round, so a burst of
 * other load on the machine hits each server in some round rather than one server in
 * all of them. Ratios use each server's best round per metric; every round is printed.
 */
import os from "node:os";
import { fmt, fmtBytes, ratio } from "./lib/stats.js";
import { printTable } from "./lib/table.js";
import { type RelayTarget, runScenario, type ScenarioOptions, type ScenarioResult } from "./relay/scenario.js";
import { startHocuspocus, startOurs, startYWebsocketServer, tmpfsAvailable } from "./relay/targets.js";

export interface RelayOptions extends ScenarioOptions {
  rounds: number;
}

export const RELAY_DEFAULTS: RelayOptions = {
  rounds: 2,
  // 10 users give exactly 45 pairs; our server allows 10 sign-ups per IP per 10 minutes.
  pairs: 45,
  pacedMessages: 40,
  ratePerClient: 10,
  saturatedMessages: 100,
  window: 8,
  phaseTimeoutMs: 45_000,
};

export interface RoundResult extends ScenarioResult {
  round: number;
}

/** Per-metric best over the rounds of one server: lowest latency, highest msg/s. */
export interface BestOf {
  server: string;
  pacedP50: number;
  pacedP99: number;
  pacedCpuPer1k: number;
  saturatedPerSecond: number;
  saturatedP99: number;
  saturatedCpuPer1k: number;
  rssAfterBytes: number;
}

/** A small unreported run first, so the first measured server does not pay for this process's JIT warm-up. */
const WARMUP: ScenarioOptions = {
  pairs: 10,
  pacedMessages: 10,
  ratePerClient: 50,
  saturatedMessages: 30,
  window: 8,
  phaseTimeoutMs: 15_000,
};

export async function relayBench(opts: {
  ours: boolean;
  oursSkipReason?: string;
  /** Also run ours with its data dir on tmpfs, to separate fsync from CPU cost. */
  tmpfs?: boolean;
  options?: Partial<RelayOptions>;
}) {
  const options = { ...RELAY_DEFAULTS, ...opts.options };
  const starters: Array<[string, () => Promise<RelayTarget>]> = [
    ["@y/websocket-server 0.1.1", startYWebsocketServer],
    ["@hocuspocus/server 3.4.4", startHocuspocus],
  ];
  const skipped: Array<{ server: string; reason: string }> = [];
  if (opts.ours) {
    starters.unshift(["ours (sync-server)", () => startOurs()]);
    if (opts.tmpfs && tmpfsAvailable()) starters.push(["ours, SQLite on tmpfs", () => startOurs({ tmpfs: true })]);
  } else skipped.push({ server: "ours (sync-server)", reason: opts.oursSkipReason ?? "skipped" });

  const warm = await startYWebsocketServer();
  try {
    await runScenario(warm, WARMUP);
  } finally {
    await warm.stop();
  }

  const results: RoundResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order = [...starters.slice(round - 1), ...starters.slice(0, round - 1)];
    for (const [name, start] of order) {
      if (skipped.some((s) => s.server === name)) continue;
      let target: RelayTarget | undefined;
      process.stdout.write(`  relay round ${round}: ${name} ...`);
      try {
        target = await start();
        const r = await runScenario(target, options);
        results.push({ ...r, round });
        process.stdout.write(` ${fmt(r.saturated.messagesPerSecond, 0)} msg/s\n`);
      } catch (e) {
        process.stdout.write(" failed\n");
        skipped.push({ server: name, reason: (e as Error).message.split("\n").slice(0, 4).join(" | ") });
      } finally {
        await target?.stop();
      }
    }
  }
  const best = bestOf(results);
  printRelay(options, results, best, skipped);
  return { options, results, best, skipped };
}

function bestOf(results: RoundResult[]): BestOf[] {
  const servers = [...new Set(results.map((r) => r.server))];
  return servers.map((server) => {
    const rs = results.filter((r) => r.server === server);
    const min = (f: (r: RoundResult) => number) => Math.min(...rs.map(f));
    return {
      server,
      pacedP50: min((r) => r.paced.latencyMs.p50),
      pacedP99: min((r) => r.paced.latencyMs.p99),
      pacedCpuPer1k: min((r) => r.paced.serverCpuMsPer1k),
      saturatedPerSecond: Math.max(...rs.map((r) => r.saturated.messagesPerSecond)),
      saturatedP99: min((r) => r.saturated.latencyMs.p99),
      saturatedCpuPer1k: min((r) => r.saturated.serverCpuMsPer1k),
      rssAfterBytes: (rs[rs.length - 1] as RoundResult).rssAfterBytes,
    };
  });
}

function printRelay(
  o: RelayOptions,
  results: RoundResult[],
  best: BestOf[],
  skipped: Array<{ server: string; reason: string }>,
) {
  const title =
    `Relay: ${o.pairs} docs x 2 clients; paced ${o.pacedMessages} msg/client at ${o.ratePerClient}/s ` +
    `(${o.pairs * 2 * o.ratePerClient} msg/s offered); saturated ${o.saturatedMessages} msg/client, window ${o.window}; ${o.rounds} rounds`;
  const sorted = [...results].sort((a, b) => a.server.localeCompare(b.server) || a.round - b.round);
  printTable(
    title,
    [
      "server",
      "rnd",
      "load",
      "paced p50",
      "p95",
      "p99",
      "CPU/1k",
      "sat msg/s",
      "sat p50",
      "sat p99",
      "CPU/1k",
      "lost",
      "RSS idle",
      "RSS after",
    ],
    sorted.map((r) => [
      r.server,
      String(r.round),
      fmt(r.loadAvg),
      fmt(r.paced.latencyMs.p50),
      fmt(r.paced.latencyMs.p95),
      fmt(r.paced.latencyMs.p99),
      fmt(r.paced.serverCpuMsPer1k, 0),
      fmt(r.saturated.messagesPerSecond, 0),
      fmt(r.saturated.latencyMs.p50),
      fmt(r.saturated.latencyMs.p99),
      fmt(r.saturated.serverCpuMsPer1k, 0),
      String(r.paced.lost + r.saturated.lost),
      fmtBytes(r.rssIdleBytes),
      fmtBytes(r.rssAfterBytes),
    ]),
    [
      "latency: ms from the write to the peer's map observer (one clock); paced = open loop; sat = closed loop, the throughput ceiling",
      "CPU/1k = server process CPU ms (user+system, /proc) per 1000 delivered messages: the figure least moved by other load",
      `load = 1-min load average when the row ended (${os.cpus().length} cores; above that, wall-clock figures are disturbed)`,
      `sat msg/s is bounded by the client process too (${o.pairs * 2} Y.Docs in one Node process); compare servers, not absolute numbers`,
      "RSS after = server process after both phases, clients still connected; every server runs under `node --import tsx`",
      ...[...new Set(results.map((r) => `${r.server}: ${r.durability}`))],
      ...skipped.map((s) => `not measured: ${s.server}: ${s.reason}`),
    ],
  );
  const ours = best.find((b) => b.server === "ours (sync-server)");
  if (!ours) return;
  printTable(
    "Relay ratios, ours / peer, best round per metric (latency, CPU, RSS: lower is better; msg/s: higher is better)",
    ["peer", "paced p50", "paced p99", "CPU/1k paced", "sat msg/s", "sat p99", "CPU/1k sat", "RSS after"],
    best
      .filter((b) => b !== ours)
      .map((p) => [
        p.server,
        ratio(ours.pacedP50, p.pacedP50),
        ratio(ours.pacedP99, p.pacedP99),
        ratio(ours.pacedCpuPer1k, p.pacedCpuPer1k),
        ratio(ours.saturatedPerSecond, p.saturatedPerSecond),
        ratio(ours.saturatedP99, p.saturatedP99),
        ratio(ours.saturatedCpuPer1k, p.saturatedCpuPer1k),
        ratio(ours.rssAfterBytes, p.rssAfterBytes),
      ]),
  );
}
