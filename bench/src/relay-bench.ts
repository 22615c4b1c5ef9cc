/**
 * Bench 1: relay throughput and latency, the same scenario against our server and two
 * peers, one server at a time, each in its own process, the clients in this process.
 */
import { fmt, fmtBytes, ratio } from "./lib/stats.js";
import { printTable } from "./lib/table.js";
import { type RelayTarget, runScenario, type ScenarioOptions, type ScenarioResult } from "./relay/scenario.js";
import { startHocuspocus, startOurs, startYWebsocketServer } from "./relay/targets.js";

export const RELAY_DEFAULTS: ScenarioOptions = {
  pairs: 50,
  pacedMessages: 100,
  ratePerClient: 10,
  saturatedMessages: 200,
  window: 8,
  phaseTimeoutMs: 45_000,
};

export interface RelayBenchResult {
  options: ScenarioOptions;
  results: ScenarioResult[];
  skipped: Array<{ server: string; reason: string }>;
}

export async function relayBench(opts: { ours: boolean; oursSkipReason?: string; options?: Partial<ScenarioOptions> }) {
  const options = { ...RELAY_DEFAULTS, ...opts.options };
  const starters: Array<[string, () => Promise<RelayTarget>]> = [
    ["@y/websocket-server 0.1.1", startYWebsocketServer],
    ["@hocuspocus/server 3.4.4", startHocuspocus],
  ];
  const skipped: RelayBenchResult["skipped"] = [];
  if (opts.ours) starters.unshift(["ours (sync-server)", startOurs]);
  else skipped.push({ server: "ours (sync-server)", reason: opts.oursSkipReason ?? "skipped" });

  const results: ScenarioResult[] = [];
  for (const [name, start] of starters) {
    let target: RelayTarget | undefined;
    try {
      process.stdout.write(`  relay: ${name} ...`);
      target = await start();
      const r = await runScenario(target, options);
      results.push(r);
      process.stdout.write(` ${fmt(r.saturated.messagesPerSecond, 0)} msg/s\n`);
    } catch (e) {
      process.stdout.write(" failed\n");
      skipped.push({ server: name, reason: (e as Error).message.split("\n").slice(0, 4).join(" | ") });
    } finally {
      await target?.stop();
    }
  }
  printRelay(options, results, skipped);
  return { options, results, skipped } satisfies RelayBenchResult;
}

function printRelay(o: ScenarioOptions, results: ScenarioResult[], skipped: RelayBenchResult["skipped"]) {
  const title =
    `Relay: ${o.pairs} docs x 2 clients; paced ${o.pacedMessages} msg/client at ${o.ratePerClient}/s ` +
    `(${o.pairs * 2 * o.ratePerClient} msg/s offered); saturated ${o.saturatedMessages} msg/client, window ${o.window}`;
  printTable(
    title,
    [
      "server",
      "connect ms",
      "paced p50",
      "p95",
      "p99",
      "sat msg/s",
      "sat p50",
      "sat p99",
      "lost",
      "RSS idle",
      "RSS after",
      "RSS peak",
    ],
    results.map((r) => [
      r.server,
      fmt(r.connectMs, 0),
      fmt(r.paced.latencyMs.p50),
      fmt(r.paced.latencyMs.p95),
      fmt(r.paced.latencyMs.p99),
      fmt(r.saturated.messagesPerSecond, 0),
      fmt(r.saturated.latencyMs.p50),
      fmt(r.saturated.latencyMs.p99),
      String(r.paced.lost + r.saturated.lost),
      fmtBytes(r.rssIdleBytes),
      fmtBytes(r.rssAfterBytes),
      fmtBytes(r.rssPeakBytes),
    ]),
    [
      "latency in ms from write to the peer's observer; paced = open loop, sat = closed loop (throughput ceiling)",
      ...results.map((r) => `${r.server}: ${r.durability}`),
      "clients share this process and its core with nothing else; the server has its own process",
      ...skipped.map((s) => `not measured: ${s.server}: ${s.reason}`),
    ],
  );
  const ours = results.find((r) => r.server.startsWith("ours"));
  if (!ours) return;
  const peers = results.filter((r) => r !== ours);
  printTable(
    "Relay ratios (ours / peer; latency and RSS: lower is better; msg/s: higher is better)",
    ["peer", "paced p50", "paced p99", "sat msg/s", "sat p99", "RSS after"],
    peers.map((p) => [
      p.server,
      ratio(ours.paced.latencyMs.p50, p.paced.latencyMs.p50),
      ratio(ours.paced.latencyMs.p99, p.paced.latencyMs.p99),
      ratio(ours.saturated.messagesPerSecond, p.saturated.messagesPerSecond),
      ratio(ours.saturated.latencyMs.p99, p.saturated.latencyMs.p99),
      ratio(ours.rssAfterBytes, p.rssAfterBytes),
    ]),
  );
}
