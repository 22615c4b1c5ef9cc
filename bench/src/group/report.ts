/** The group bench's printed tables: one row per server (median of the rounds, min–max), then ratios of ours to the others. */
import os from "node:os";
import { tally } from "../abuse/sockets.js";
import { groupLogs } from "../cluster/report.js";
import { fmt, fmtBytes, median, ratio } from "../lib/stats.js";
import { printTable } from "../lib/table.js";
import { OURS_POSTGRES, OURS_SQLITE } from "../relay/targets.js";
import { spread } from "../scale/report.js";
import { DRAIN_MS } from "../scale/round.js";
import type { GroupOptions, GroupRoundResult, GroupTarget } from "./round.js";

type Metric = (r: GroupRoundResult) => number;

const METRICS: Array<[string, Metric]> = [
  ["p50", (r) => r.p50],
  ["p90", (r) => r.p90],
  ["p99", (r) => r.p99],
  ["CPU/1k msgs", (r) => r.cpuPer1kMessages],
  ["CPU/1k deliveries", (r) => r.cpuPer1kDeliveries],
  ["RSS after", (r) => r.rssAfterBytes],
];

export function printGroup(o: GroupOptions, targets: GroupTarget[], results: GroupRoundResult[], skipped: string[]) {
  const servers = targets.map((t) => t.name).filter((name) => results.some((r) => r.server === name));
  const by = (name: string) => results.filter((r) => r.server === name);
  const med = (name: string, f: Metric) => median(by(name).map(f).filter(Number.isFinite));
  const rounds = `median of ${o.rounds} round${o.rounds > 1 ? "s (min–max)" : ""}`;
  const others = o.members - 1;

  printTable(
    `Group: one document, ${o.members} members connected, ${fmt(o.perSecond, 0)} msg/s in total by random members for ${fmt(o.durationMs / 1000, 0)} s (${fmt(o.perSecond * others, 0)} deliveries/s); ${rounds}`,
    [
      "server",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "max ms",
      "lost",
      "CPU ms/1k msgs",
      "CPU ms/1k deliveries",
      "connect s",
      "RSS after",
      "clients CPU %",
      "load",
    ],
    servers.map((s) => {
      const rs = by(s);
      return [
        s,
        spread(rs, (r) => r.p50),
        spread(rs, (r) => r.p90),
        spread(rs, (r) => r.p99),
        spread(rs, (r) => r.max, 0),
        String(rs.reduce((n, r) => n + r.lost, 0)),
        spread(rs, (r) => r.cpuPer1kMessages, 0),
        spread(rs, (r) => r.cpuPer1kDeliveries),
        spread(rs, (r) => r.connectMs / 1000),
        fmtBytes(med(s, (r) => r.rssAfterBytes)),
        spread(rs, (r) => r.clientCpuPercent, 0),
        spread(rs, (r) => r.load),
      ];
    }),
    [
      `latency = a member's write → each of the other ${others} members decoded it, one sample per delivery (${fmt(o.perSecond * others * (o.durationMs / 1000), 0)} per round); the members are dealt over 2 client processes of lightweight y-protocols clients (scale bench's), so the send time travels in the message text on one wall clock`,
      `lost = deliveries not seen ${fmt(DRAIN_MS / 1000, 0)} s after the last write, summed over rounds; a ${fmt(o.warmupMs / 1000, 1)} s paced warm-up on the same sockets runs first, not reported`,
      "CPU ms/1k = server CPU (user + system, /proc) over the phase per 1,000 messages written, and per 1,000 deliveries (messages x other members); ours on PostgreSQL adds its database's backends",
      "connect s = every member opened and synced (64 upgrades in flight per client process); RSS after = server process after the phase, members still connected (median)",
      `clients CPU % = the client processes' CPU, % of their cores (near 100: the clients limit, not the server); load = 1-minute load average when the phase ended (${os.cpus().length} cores)`,
      `ours: ${o.members} users with sessions and one group of them all provisioned in-process (scale-provision.ts), every round on a fresh copy; sockets send Authorization: Bearer; the relay's per-user limits lifted as in bench 1. Peers: memory only, no auth`,
      ...servers.flatMap((s) => {
        const closes = by(s).flatMap((r) => r.closes);
        const unsynced = by(s).reduce((n, r) => n + r.connectMissing, 0);
        return [
          ...(closes.length > 0 ? [`${s}: sockets closed meanwhile: ${tally(closes)}`] : []),
          ...(unsynced > 0 ? [`${s}: ${unsynced} members did not sync when connecting`] : []),
        ];
      }),
      ...skipped.map((s) => `not measured: ${s}`),
      ...codeNotes(results),
    ],
  );

  for (const subject of [OURS_SQLITE, OURS_POSTGRES].filter((s) => servers.includes(s))) {
    const rest = servers.filter((s) => s !== subject && !(subject === OURS_SQLITE && s === OURS_POSTGRES));
    if (rest.length === 0) continue;
    printTable(
      `Group ratios, ${subject} / other, medians (lower is better)`,
      ["other", ...METRICS.map(([name]) => name)],
      rest.map((other) => [other, ...METRICS.map(([, f]) => ratio(med(subject, f), med(other, f)))]),
    );
  }

  const logs = results.filter((r) => r.logs.length > 0);
  if (logs.length > 0) {
    console.log(
      "\nServer warnings and errors during the group rounds (grouped by their first line; stack lines left out):",
    );
    for (const r of logs) {
      console.log(`  ${r.server}, round ${r.round}: ${r.logs.length} line${r.logs.length > 1 ? "s" : ""}`);
      for (const [line, n] of groupLogs(r.logs).slice(0, 5)) console.log(`    ${n} x ${line.slice(0, 300)}`);
    }
  }
}

/** Ours' code per round, when it was not one version all run long (tsx reads the working tree at each start). */
function codeNotes(results: GroupRoundResult[]): string[] {
  const versions = new Set(results.map((r) => r.code).filter((c) => c !== null));
  if (versions.size <= 1) return versions.size === 1 ? [`ours ran ${[...versions][0]} in every round`] : [];
  return [
    `ours' code changed during the run, compare with care: ${results
      .filter((r) => r.code !== null)
      .map((r) => `${r.server} round ${r.round}: ${r.code}`)
      .join("; ")}`,
  ];
}
