/**
 * Bench 1: relay throughput and latency, the same scenario against our server (on SQLite,
 * on PostgreSQL when one is reachable) and two peers, one server at a time, each in its
 * own process, the clients in this process.
 *
 * The run is split into rounds with the server order rotated each round, so a burst of
 * other load on the machine hits each server in some round rather than one server in
 * all of them. Ratios use each server's best round per metric; every round is printed.
 */
import { fmt } from "./lib/stats.js";
import { postgresUnavailable } from "./relay/postgres.js";
import { bestOf, printRelay, type RoundResult, type Skipped } from "./relay/report.js";
import { type RelayTarget, runScenario, type ScenarioOptions } from "./relay/scenario.js";
import {
  OURS_POSTGRES,
  OURS_SQLITE,
  OURS_TMPFS,
  startHocuspocus,
  startOurs,
  startYWebsocketServer,
  tmpfsAvailable,
} from "./relay/targets.js";

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
  /** Run ours on PostgreSQL too (default), when a database can be created there. */
  postgres?: boolean;
  options?: Partial<RelayOptions>;
}) {
  const options = { ...RELAY_DEFAULTS, ...opts.options };
  const starters: Array<[string, () => Promise<RelayTarget>]> = [
    ["@y/websocket-server 0.1.1", startYWebsocketServer],
    ["@hocuspocus/server 3.4.4", startHocuspocus],
  ];
  const skipped: Skipped[] = [];
  if (opts.ours) {
    starters.unshift([OURS_SQLITE, () => startOurs()]);
    if (opts.postgres !== false) {
      const reason = await postgresUnavailable();
      if (reason === null) starters.splice(1, 0, [OURS_POSTGRES, () => startOurs({ postgres: true })]);
      else {
        console.log(`  relay: "${OURS_POSTGRES}" is left out: ${reason}`);
        skipped.push({ server: OURS_POSTGRES, reason });
      }
    }
    if (opts.tmpfs && tmpfsAvailable()) starters.push([OURS_TMPFS, () => startOurs({ tmpfs: true })]);
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
