/**
 * Bench 6 (issue 9): scale. 1,000 writers in 500 1:1 conversations, from two client
 * processes of lightweight y-protocols clients, against ours (on SQLite, and on
 * PostgreSQL when one is reachable) and the two peers, one server at a time, each in its
 * own process. Every round runs every server once, the order rotated; tables print the
 * median of the rounds with min–max, and ratios of ours to the others. Then the opening
 * cost of a 100-message against a 100,000-message conversation, by bench 3.
 *
 * Ours gets its users without HTTP sign-up (scale-provision.ts, in-process on the store,
 * once per store); each round starts on a fresh copy of that store.
 */

import os from "node:os";
import { fmt } from "./lib/stats.js";
import { longConversationBench } from "./long-conversation.js";
import { postgresUnavailable } from "./relay/postgres.js";
import { OURS_POSTGRES } from "./relay/targets.js";
import { startClientPool } from "./scale/client-pool.js";
import { printScale } from "./scale/report.js";
import { type RoundResult, runRound, type ScaleOptions } from "./scale/round.js";
import { oursTarget, peerTarget, type ScaleTarget } from "./scale/servers.js";

export const SCALE_DEFAULTS: ScaleOptions = {
  rounds: 3,
  conversations: 500,
  pacedPerSecond: 1000,
  pacedMs: 3000,
  sparsePerSecond: 25,
  sparseMs: 3000,
  saturatedWindow: 2,
  saturatedMs: 2000,
  idleLevels: [1000, 5000, 10_000],
  longMessages: 100_000,
  shortMessages: 100,
};

/**
 * The whole part (provisioning, rounds, opening cost) is meant to end within 10 minutes on
 * 2 cores. When other load slows the machine so much that a server's next round would end
 * past the budget (judged by its previous round), that round is left out and the run says so.
 */
export const SCALE_BUDGET_MS = 9.5 * 60_000;
/** Kept back from the budget for the opening cost (bench 3 at 100k messages: ~15 s at load 4). */
const OPENING_RESERVE_MS = 35_000;

/** `--quick`: one round, shorter phases, fewer idle sockets, a 10k-message long conversation. */
export const SCALE_QUICK: Partial<ScaleOptions> = {
  rounds: 1,
  pacedMs: 2000,
  idleLevels: [1000, 2500, 5000],
  longMessages: 10_000,
};

export async function scaleBench(opts: {
  ours: boolean;
  oursSkipReason?: string;
  /** Run ours on PostgreSQL too (default), when a database can be created there. */
  postgres?: boolean;
  options?: Partial<ScaleOptions>;
}) {
  const o = { ...SCALE_DEFAULTS, ...opts.options };
  const targets: ScaleTarget[] = [];
  const skipped: string[] = [];
  const provisioned: Array<{ server: string; ms: number }> = [];
  const results: RoundResult[] = [];
  const startedAt = performance.now();
  try {
    if (opts.ours) {
      const stores = [false];
      if (opts.postgres !== false) {
        const reason = await postgresUnavailable();
        if (reason === null) stores.push(true);
        else {
          console.log(`  scale: "${OURS_POSTGRES}" is left out: ${reason}`);
          skipped.push(`${OURS_POSTGRES}: ${reason}`);
        }
      }
      // Both stores at once: each provisioning process waits on its database part of the time.
      const made = await Promise.allSettled(
        stores.map((postgres) => oursTarget({ postgres, conversations: o.conversations })),
      );
      for (const m of made) {
        if (m.status === "rejected") continue;
        targets.push(m.value);
        provisioned.push({ server: m.value.name, ms: m.value.provisionMs });
        console.log(
          `  scale: ${m.value.name}: ${o.conversations * 2} users with sessions, ${o.conversations} conversations provisioned in-process in ${fmt(m.value.provisionMs / 1000)} s`,
        );
      }
      for (const m of made) if (m.status === "rejected") throw m.reason;
    } else skipped.push(`ours (sync-server): ${opts.oursSkipReason ?? "skipped"}`);
    targets.push(
      peerTarget("@y/websocket-server 0.1.1", "y-websocket-server.ts", "y-websocket", o.conversations),
      peerTarget("@hocuspocus/server 3.4.4", "hocuspocus-server.ts", "hocuspocus", o.conversations),
    );

    const pool = await startClientPool();
    try {
      for (let round = 1; round <= o.rounds; round++) {
        const order = [...targets.slice(round - 1), ...targets.slice(0, round - 1)];
        for (const target of order) {
          const t0 = performance.now();
          const previous = results.findLast((r) => r.server === target.name);
          const projectedMs = t0 - startedAt + (previous?.seconds ?? 0) * 1000 + OPENING_RESERVE_MS;
          if (previous && projectedMs > SCALE_BUDGET_MS) {
            const note = `${target.name}, round ${round}: left out, it would end past the ${fmt(SCALE_BUDGET_MS / 60_000)}-minute budget (its last round took ${fmt(previous.seconds)} s; load ${fmt(os.loadavg()[0])})`;
            console.log(`  scale: ${note}`);
            skipped.push(note);
            continue;
          }
          process.stdout.write(`  scale round ${round}: ${target.name} ...`);
          try {
            const r = await runRound(target, pool, o, round);
            results.push(r);
            process.stdout.write(
              ` paced ${fmt(r.paced.cpuPer1kMs, 0)} CPU ms/1k msgs, ${fmt(r.seconds)} s; load ${fmt(os.loadavg()[0])}\n`,
            );
          } catch (e) {
            process.stdout.write(" failed\n");
            skipped.push(`${target.name}, round ${round}: ${(e as Error).message.split("\n").slice(0, 4).join(" | ")}`);
            await pool.close().catch(() => {});
          }
        }
      }
    } finally {
      await pool.stop();
    }
  } finally {
    for (const t of targets) await t.dispose();
  }
  printScale(o, targets, results, skipped);

  // 8. Opening cost: bench 3 with a 100-message short conversation beside the long one.
  let opening: unknown;
  if (opts.ours)
    opening = await longConversationBench({ longMessages: o.longMessages, shortMessages: o.shortMessages });
  else console.log(`\nScale 8, opening cost: skipped: ${opts.oursSkipReason ?? "our server is not measured"}`);
  return { options: o, provisioned, results, skipped, opening };
}
