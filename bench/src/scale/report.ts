/** The scale bench's printed tables: one per scenario (median of the rounds, min–max), then ratios of ours to the others. */
import os from "node:os";
import { tally } from "../abuse/sockets.js";
import { fmt, median, ratio } from "../lib/stats.js";
import { printTable } from "../lib/table.js";
import { OURS_POSTGRES, OURS_SQLITE } from "../relay/targets.js";
import { CLIENT_PROCESSES } from "./client-pool.js";
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from "./light-client.js";
import { CONNECT_CONCURRENCY, DRAIN_MS, type RoundResult, type ScaleOptions } from "./round.js";
import { RESTART_GRACE_MS, type ScaleTarget } from "./servers.js";

type Metric = (r: RoundResult) => number;

const KIB = 1024;

/** The median of the rounds' values, with their min–max when there are several ("–" when none). */
export function spread<R>(rs: R[], f: (r: R) => number, digits = 1, scale = 1): string {
  const values = rs.map((r) => f(r) / scale).filter((v) => Number.isFinite(v));
  if (values.length === 0) return "–";
  const mid = fmt(median(values), digits);
  if (values.length === 1) return mid;
  return `${mid} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
}

const sum = (rs: RoundResult[], f: Metric) => String(rs.reduce((n, r) => n + f(r), 0));
const med = (rs: RoundResult[], f: Metric) => median(rs.map(f).filter((v) => Number.isFinite(v)));

export function printScale(o: ScaleOptions, targets: ScaleTarget[], results: RoundResult[], skipped: string[]) {
  const servers = targets.map((t) => t.name).filter((name) => results.some((r) => r.server === name));
  const by = (name: string) => results.filter((r) => r.server === name);
  const rows = (cells: (rs: RoundResult[]) => string[]) => servers.map((s) => [s, ...cells(by(s))]);
  const rounds = `median of ${o.rounds} round${o.rounds > 1 ? "s (min–max)" : ""}`;
  const writers = o.conversations * 2;
  const common = [
    `load = 1-minute load average when the scenario ended (${os.cpus().length} cores: above that, wall-clock figures are disturbed; CPU figures much less)`,
    ...(servers.includes(OURS_POSTGRES)
      ? [
          `${OURS_POSTGRES}: CPU counts the Node process plus its database's PostgreSQL backends (not the shared WAL writer, checkpointer); RSS and heap are the Node process only`,
        ]
      : []),
    ...skipped.map((s) => `not measured: ${s}`),
    ...codeNotes(results),
  ];
  const closes = (pick: (r: RoundResult) => string[]) =>
    servers.flatMap((s) => {
      const all = by(s).flatMap(pick);
      return all.length > 0 ? [`${s}: sockets closed meanwhile: ${tally(all)}`] : [];
    });

  printTable(
    `Scale 1, DM paced: ${o.conversations} conversations x 2 clients, ${fmt(o.pacedPerSecond, 0)} msg/s offered for ${fmt(o.pacedMs / 1000, 0)} s; ${rounds}`,
    ["server", "CPU ms/1k msgs", "p50 ms", "p90 ms", "p99 ms", "lost", "clients CPU %", "load"],
    rows((rs) => [
      spread(rs, (r) => r.paced.cpuPer1kMs, 0),
      spread(rs, (r) => r.paced.p50),
      spread(rs, (r) => r.paced.p90),
      spread(rs, (r) => r.paced.p99),
      sum(rs, (r) => r.paced.lost),
      spread(rs, (r) => r.paced.clientCpuPercent, 0),
      spread(rs, (r) => r.paced.load),
    ]),
    [
      "latency = write (addMessage in the sender's process) → the other client of the conversation decoded it (same process, one clock)",
      `CPU ms/1k msgs = server CPU (user + system, /proc) over the phase per 1,000 delivered messages; lost = not delivered ${fmt(DRAIN_MS / 1000, 0)} s after the last write, summed over rounds`,
      `clients CPU % = the ${CLIENT_PROCESSES} client processes' CPU over the phase, % of ${CLIENT_PROCESSES} cores (near 100: the clients limit, not the server)`,
      ...closes((r) => r.paced.closes),
      ...common,
    ],
  );
  printTable(
    `Scale 2, sparse: the same ${writers} writers, ${fmt(o.sparsePerSecond, 0)} msg/s in total for ${fmt(o.sparseMs / 1000, 0)} s; ${rounds}`,
    ["server", "CPU ms/1k msgs", "p50 ms", "p99 ms", "lost", "load"],
    rows((rs) => [
      spread(rs, (r) => r.sparse.cpuPer1kMs, 0),
      spread(rs, (r) => r.sparse.p50),
      spread(rs, (r) => r.sparse.p99),
      sum(rs, (r) => r.sparse.lost),
      spread(rs, (r) => r.sparse.load),
    ]),
    [
      "CPU ms/1k msgs here includes what the server spends on 1,000 quiet sockets meanwhile (pings, timers): the cost of a message when traffic is thin",
      ...closes((r) => r.sparse.closes),
    ],
  );
  printTable(
    `Scale 3, saturated: each of the ${writers} writers keeps ${o.saturatedWindow} messages in flight for ${fmt(o.saturatedMs / 1000, 0)} s; ${rounds}`,
    ["server", "msgs per CPU-s", "msg/s", "p50 ms", "p99 ms", "lost", "clients CPU %", "load"],
    rows((rs) => [
      spread(rs, (r) => r.saturated.perCpuSecond, 0),
      spread(rs, (r) => r.saturated.perSecond, 0),
      spread(rs, (r) => r.saturated.p50),
      spread(rs, (r) => r.saturated.p99),
      sum(rs, (r) => r.saturated.lost),
      spread(rs, (r) => r.saturated.clientCpuPercent, 0),
      spread(rs, (r) => r.saturated.load),
    ]),
    [
      "msgs per CPU-s = delivered messages per second of server CPU (steady under other load); msg/s = delivered per wall second (moves with the load)",
      ...closes((r) => r.saturated.closes),
    ],
  );
  printTable(
    `Scale 4, connects: ${writers} writers open a socket each (${CONNECT_CONCURRENCY} upgrades in flight per client process) and sync; ${rounds}`,
    ["server", "CPU ms/connect", "connects/s", "not synced", "load"],
    rows((rs) => [
      spread(rs, (r) => r.connect.serverCpuMs / r.connect.sockets, 2),
      spread(rs, (r) => (r.connect.sockets / r.connect.ms) * 1000, 0),
      sum(rs, (r) => r.connect.missing),
      spread(rs, (r) => r.connect.load),
    ]),
    [
      "connect = upgrade (ours: the session looked up) + sync step 1 → step 2; the first socket of a conversation loads its document (ours: from the store)",
      ...closes((r) => r.connect.closes),
    ],
  );
  const levels = o.idleLevels;
  printTable(
    `Scale 5 and 7, RSS at start and idle sockets: ${levels.map((n) => fmt(n, 0)).join(" / ")} sockets synced and quiet; KiB per socket; ${rounds}`,
    [
      "server",
      "RSS at start MiB",
      "heap at start MiB",
      ...levels.flatMap((n) => [`RSS/sock ${n / 1000}k`, `heap/sock ${n / 1000}k`]),
      "not synced",
      "load",
    ],
    rows((rs) => [
      spread(rs, (r) => r.rssAtStartBytes, 0, KIB * KIB),
      spread(rs, (r) => r.heapAtStartBytes, 0, KIB * KIB),
      ...levels.flatMap((_, i) => [
        spread(rs, (r) => r.idle[i]?.rssPerSocketBytes ?? Number.NaN, 1, KIB),
        spread(rs, (r) => r.idle[i]?.heapPerSocketBytes ?? Number.NaN, 1, KIB),
      ]),
      sum(rs, (r) => r.idle.reduce((n, l) => n + l.missing, 0)),
      spread(rs, (r) => r.idleLoad),
    ]),
    [
      "RSS = /proc VmRSS of the server process; heap = V8 heap used after a full gc in the server (peers/memory-probe.ts, preloaded the same way into all three)",
      "per socket = (level - start) / sockets; the first level is the writers alone, so it also holds every conversation's document (ours: loaded from the store)",
      `idle sockets are spread over the same ${o.conversations} conversations, as their two users (ours: up to ${fmt((levels[levels.length - 1] ?? 0) / writers, 0)} sockets per user)`,
    ],
  );
  printTable(
    `Scale 6, reconnects: ${writers} writers' sockets dropped at once; then the server restarted (SIGTERM, same port, same data); ${rounds}`,
    [
      "server",
      "storm: resynced ms",
      "CPU ms/socket",
      "restart: stop ms",
      "start ms",
      "all resynced ms",
      "not synced",
      "load",
    ],
    rows((rs) => [
      spread(rs, (r) => r.storm.ms, 0),
      spread(rs, (r) => r.storm.serverCpuMs / r.connect.sockets, 2),
      spread(rs, (r) => r.restart.stopMs, 0),
      spread(rs, (r) => r.restart.startMs, 0),
      spread(rs, (r) => r.restart.ms, 0),
      sum(rs, (r) => r.storm.missing + r.restart.missing),
      spread(rs, (r) => r.restart.load),
    ]),
    [
      "storm: every socket terminated (no close handshake) and reopened at once; resynced = until every writer got its sync step 2 again",
      "restart: SIGTERM → exit (stop), spawn → ready (start: ours answers /api/health, peers print their port), all resynced = SIGTERM → every writer synced again",
      `writers reconnect as y-websocket's provider does: ${RECONNECT_BASE_MS} ms x 2^(failed attempts), at most ${fmt(RECONNECT_MAX_MS, 0)} ms; stop waits ${fmt(RESTART_GRACE_MS / 1000, 0)} s before SIGKILL`,
      ...targets
        .filter((t) => servers.includes(t.name))
        .map((t) => `${t.name} keeps over a restart: ${t.restartKeeps}`),
      ...closes((r) => r.storm.closes),
    ],
  );
  const subjects = [OURS_SQLITE, OURS_POSTGRES].filter((s) => servers.includes(s));
  for (const subject of subjects) {
    const others = servers.filter((s) => s !== subject && !(subject === OURS_SQLITE && s === OURS_POSTGRES));
    printRatios(subject, others, by, levels[levels.length - 1] ?? 0, o.idleLevels.length - 1);
  }
}

/** Ours' code per round, when it was not one version all run long (someone committed or edited meanwhile). */
function codeNotes(results: RoundResult[]): string[] {
  const versions = new Set(results.map((r) => r.code).filter((c) => c !== null));
  if (versions.size <= 1) return versions.size === 1 ? [`ours ran ${[...versions][0]} in every round`] : [];
  const rounds = results
    .filter((r) => r.code !== null)
    .map((r) => `${r.server} round ${r.round}: ${r.code}`)
    .join("; ");
  return [`ours' code changed during the run (tsx reads the working tree at each start), compare with care: ${rounds}`];
}

function printRatios(
  subject: string,
  others: string[],
  by: (name: string) => RoundResult[],
  topLevel: number,
  topIndex: number,
) {
  if (others.length === 0) return;
  const metrics: Array<[string, Metric]> = [
    ["paced CPU/1k", (r) => r.paced.cpuPer1kMs],
    ["paced p50", (r) => r.paced.p50],
    ["paced p99", (r) => r.paced.p99],
    ["sparse CPU/1k", (r) => r.sparse.cpuPer1kMs],
    ["sat msgs/CPU-s", (r) => r.saturated.perCpuSecond],
    ["sat p99", (r) => r.saturated.p99],
    ["CPU/connect", (r) => r.connect.serverCpuMs / r.connect.sockets],
    ["connects/s", (r) => (r.connect.sockets / r.connect.ms) * 1000],
    [`RSS/sock ${topLevel / 1000}k`, (r) => r.idle[topIndex]?.rssPerSocketBytes ?? Number.NaN],
    [`heap/sock ${topLevel / 1000}k`, (r) => r.idle[topIndex]?.heapPerSocketBytes ?? Number.NaN],
    ["storm ms", (r) => r.storm.ms],
    ["restart ms", (r) => r.restart.ms],
    ["RSS at start", (r) => r.rssAtStartBytes],
  ];
  printTable(
    `Scale ratios, ${subject} / other, medians (msgs/CPU-s, connects/s: higher is better; the rest: lower is better)`,
    ["other", ...metrics.map(([name]) => name)],
    others.map((other) => [other, ...metrics.map(([, f]) => ratio(med(by(subject), f), med(by(other), f)))]),
  );
}
