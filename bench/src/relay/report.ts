/** The relay bench's printed tables: every round, then ratios of ours (per store) to every other row. */
import os from "node:os";
import { fmt, fmtBytes, ratio } from "../lib/stats.js";
import { printTable } from "../lib/table.js";
import type { RelayOptions } from "../relay-bench.js";
import type { ScenarioResult } from "./scenario.js";
import { OURS_POSTGRES, OURS_SQLITE } from "./targets.js";

export interface RoundResult extends ScenarioResult {
  round: number;
}

/** Per-metric best over the rounds of one server: lowest latency and CPU, highest msg/s. */
export interface BestOf {
  server: string;
  pacedP50: number;
  pacedP99: number;
  pacedCpuPer1k: number;
  saturatedPerSecond: number;
  saturatedP50: number;
  saturatedP99: number;
  saturatedCpuPer1k: number;
  rssAfterBytes: number;
}

export interface Skipped {
  server: string;
  reason: string;
}

export function bestOf(results: RoundResult[]): BestOf[] {
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
      saturatedP50: min((r) => r.saturated.latencyMs.p50),
      saturatedP99: min((r) => r.saturated.latencyMs.p99),
      saturatedCpuPer1k: min((r) => r.saturated.serverCpuMsPer1k),
      rssAfterBytes: (rs[rs.length - 1] as RoundResult).rssAfterBytes,
    };
  });
}

export function printRelay(o: RelayOptions, results: RoundResult[], best: BestOf[], skipped: Skipped[]) {
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
      ...(results.some((r) => r.server === OURS_POSTGRES)
        ? [
            `${OURS_POSTGRES}: CPU/1k counts the Node process plus its database's PostgreSQL backends (not the shared WAL writer, checkpointer); RSS is the Node process only`,
          ]
        : []),
      ...[...new Set(results.map((r) => `${r.server}: ${r.durability}`))],
      ...skipped.map((s) => `not measured: ${s.server}: ${s.reason}`),
    ],
  );
  const sqlite = best.find((b) => b.server === OURS_SQLITE);
  const postgres = best.find((b) => b.server === OURS_POSTGRES);
  // PostgreSQL / SQLite is in the second table; the first would only repeat it inverted.
  if (sqlite) printRatios(sqlite, without(best, sqlite, postgres));
  if (postgres) printRatios(postgres, without(best, postgres));
}

const without = (rows: BestOf[], ...drop: Array<BestOf | undefined>) => rows.filter((r) => !drop.includes(r));

function printRatios(subject: BestOf, others: BestOf[]) {
  if (others.length === 0) return;
  printTable(
    `Relay ratios, ${subject.server} / other, best round per metric (latency, CPU, RSS: lower is better; msg/s: higher is better)`,
    ["other", "paced p50", "paced p99", "CPU/1k paced", "sat msg/s", "sat p50", "sat p99", "CPU/1k sat", "RSS after"],
    others.map((p) => [
      p.server,
      ratio(subject.pacedP50, p.pacedP50),
      ratio(subject.pacedP99, p.pacedP99),
      ratio(subject.pacedCpuPer1k, p.pacedCpuPer1k),
      ratio(subject.saturatedPerSecond, p.saturatedPerSecond),
      ratio(subject.saturatedP50, p.saturatedP50),
      ratio(subject.saturatedP99, p.saturatedP99),
      ratio(subject.saturatedCpuPer1k, p.saturatedCpuPer1k),
      ratio(subject.rssAfterBytes, p.rssAfterBytes),
    ]),
  );
}
