/**
 * Bench 1b (issue 11): one group document with 200 members, all connected, 50 msg/s in total
 * written by random members: delivery latency to each other member and server CPU per 1,000
 * messages and per 1,000 deliveries, against ours (on SQLite, and on PostgreSQL when one is
 * reachable) and the two peers, one server at a time, each in its own process. Every round runs
 * every server once, the order rotated; tables print the median of the rounds with min–max, and
 * ratios of ours to the others. Runs with the relay part, or alone (`--only=group`).
 *
 * Ours gets its users, sessions and the group without HTTP (scale-provision.ts, in-process on the
 * store, once per store); each round starts on a fresh copy of that store.
 */
import os from "node:os";
import { startGroupClients } from "./group/clients.js";
import { printGroup } from "./group/report.js";
import { type GroupOptions, type GroupRoundResult, type GroupTarget, runGroupRound } from "./group/round.js";
import { fmt } from "./lib/stats.js";
import { postgresUnavailable } from "./relay/postgres.js";
import { OURS_POSTGRES } from "./relay/targets.js";
import { oursTarget, peerTarget } from "./scale/servers.js";
import type { GroupRoom } from "./scale-provision.js";

/**
 * 8 s (400 messages, 79,600 deliveries per round) rather than 20: three rounds of four servers
 * must fit in 3 minutes, and a round of ours costs ~7 s besides the phases (start on a store
 * copy, 200 authenticated upgrades, quiet waits, stop); 79,600 samples put a p99 on 796 of them.
 */
export const GROUP_DEFAULTS: GroupOptions = {
  rounds: 3,
  members: 200,
  perSecond: 50,
  durationMs: 8000,
  warmupMs: 2000,
};

/** `--quick`: one round, a shorter phase. */
export const GROUP_QUICK: Partial<GroupOptions> = { rounds: 1, durationMs: 4000, warmupMs: 1000 };

/**
 * The part is meant to end within 3 minutes on 2 cores. When other load slows the machine so
 * much that a server's next round would end past the budget (judged by its previous round),
 * that round is left out and the run says so.
 */
export const GROUP_BUDGET_MS = 3 * 60_000;

/** The peers' group: the same member count by name, no auth. */
const peerGroup = (members: number): GroupRoom => ({
  name: "bench-group",
  members: Array.from({ length: members }, (_, i) => ({ author: `member-${i}`, headers: {} })),
});

export async function groupBench(opts: {
  ours: boolean;
  oursSkipReason?: string;
  /** Run ours on PostgreSQL too (default), when a database can be created there. */
  postgres?: boolean;
  options?: Partial<GroupOptions>;
}) {
  const o = { ...GROUP_DEFAULTS, ...opts.options };
  const startedAt = performance.now();
  const targets: GroupTarget[] = [];
  const skipped: string[] = [];
  const provisioned: Array<{ server: string; ms: number }> = [];
  const results: GroupRoundResult[] = [];
  try {
    if (opts.ours) {
      const stores = [false];
      if (opts.postgres !== false) {
        const reason = await postgresUnavailable();
        if (reason === null) stores.push(true);
        else {
          console.log(`  group: "${OURS_POSTGRES}" is left out: ${reason}`);
          skipped.push(`${OURS_POSTGRES}: ${reason}`);
        }
      }
      // Both stores at once: each provisioning process waits on its database part of the time.
      const made = await Promise.allSettled(
        stores.map((postgres) => oursTarget({ postgres, conversations: { groupMembers: o.members } })),
      );
      for (const m of made) {
        if (m.status === "rejected" || m.value.group === null) continue;
        targets.push({ ...m.value, group: m.value.group });
        provisioned.push({ server: m.value.name, ms: m.value.provisionMs });
        console.log(
          `  group: ${m.value.name}: ${o.members} users with sessions and their group provisioned in-process in ${fmt(m.value.provisionMs / 1000)} s`,
        );
      }
      for (const m of made) if (m.status === "rejected") throw m.reason;
    } else skipped.push(`ours (sync-server): ${opts.oursSkipReason ?? "skipped"}`);
    for (const [name, entry, protocol] of [
      ["@y/websocket-server 0.1.1", "y-websocket-server.ts", "y-websocket"],
      ["@hocuspocus/server 3.4.4", "hocuspocus-server.ts", "hocuspocus"],
    ] as const)
      targets.push({ ...peerTarget(name, entry, protocol, 0), group: peerGroup(o.members) });

    const clients = startGroupClients();
    try {
      for (let round = 1; round <= o.rounds; round++) {
        const shift = (round - 1) % targets.length;
        for (const target of [...targets.slice(shift), ...targets.slice(0, shift)]) {
          const previous = results.findLast((r) => r.server === target.name);
          const projectedMs = performance.now() - startedAt + (previous?.seconds ?? 0) * 1000;
          if (previous && projectedMs > GROUP_BUDGET_MS) {
            const note = `${target.name}, round ${round}: left out, it would end past the ${fmt(GROUP_BUDGET_MS / 60_000)}-minute budget (its last round took ${fmt(previous.seconds)} s; load ${fmt(os.loadavg()[0])})`;
            console.log(`  group: ${note}`);
            skipped.push(note);
            continue;
          }
          process.stdout.write(`  group round ${round}: ${target.name} ...`);
          try {
            const r = await runGroupRound(target, clients, o, round);
            results.push(r);
            process.stdout.write(
              ` p99 ${fmt(r.p99)} ms, ${fmt(r.cpuPer1kMessages, 0)} CPU ms/1k msgs, ${fmt(r.seconds)} s; load ${fmt(os.loadavg()[0])}\n`,
            );
          } catch (e) {
            process.stdout.write(" failed\n");
            skipped.push(`${target.name}, round ${round}: ${(e as Error).message.split("\n").slice(0, 4).join(" | ")}`);
            await clients.close().catch(() => {});
          }
        }
      }
    } finally {
      await clients.stop();
    }
  } finally {
    for (const t of targets) await t.dispose();
  }
  printGroup(o, targets, results, skipped);
  return { options: o, provisioned, results, skipped };
}
