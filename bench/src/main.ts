/**
 * `npm run bench`: every benchmark in one bounded run, printing tables and ratios
 * against peers measured in the same run. Nothing asserts; figures are printed and
 * saved to bench/results/ (gitignored).
 *
 *   npm run bench                       all but scale
 *   npm run bench -- --only=relay,long  a subset: relay, group, shapes, long, search, client, abuse, scale
 *   npm run bench -- --only=search      server search (SQLite and PostgreSQL, 100,000-message conversation)
 *                                       and a device's local search (~2 minutes)
 *   npm run bench -- --only=group       the relay part's group row alone (200 members, 50 msg/s; ~3 minutes)
 *   npm run bench -- --only=scale       issue 9's scale bench (~9 minutes; only when named)
 *   npm run bench -- --only=cluster     issue 10's cluster bench: 3 processes vs 1, and Hocuspocus on
 *                                       Redis (~5 minutes; only when named; needs PostgreSQL and Redis)
 *   npm run bench -- --quick            smaller sizes, for trying the harness
 *   npm run bench -- --tmpfs            relay: also run ours with SQLite on tmpfs (fsync vs CPU)
 *   npm run bench -- --no-postgres      relay, group, scale: leave out ours on PostgreSQL (run by default when
 *                                       a database can be created at TEST_PG_ADMIN_URL, default 127.0.0.1:5432)
 *   BENCH_SERVER_MAIN=<path> npm run bench   measure another checkout's sync-server/src/main.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD, DEMO_USERS } from "@messenger/seeds";
import { abuseBench } from "./abuse-bench.js";
import { clientMetrics } from "./client-metrics.js";
import { CLUSTER_QUICK, clusterBench } from "./cluster-bench.js";
import { docShapeBench } from "./doc-shape.js";
import { GROUP_QUICK, groupBench } from "./group-bench.js";
import { OUR_MAIN, ourServerReady } from "./lib/our-server.js";
import { REPO_ROOT } from "./lib/processes.js";
import { longConversationBench } from "./long-conversation.js";
import { relayBench } from "./relay-bench.js";
import { SCALE_QUICK, scaleBench } from "./scale-bench.js";
import { SEARCH_QUICK, searchBench } from "./search-bench.js";

const PARTS = ["relay", "group", "shapes", "long", "search", "client", "abuse", "scale", "cluster"] as const;
type Part = (typeof PARTS)[number];
/** Run when no --only names them: scale alone takes about as long as the rest together, and so does cluster. */
const DEFAULT_PARTS: readonly Part[] = PARTS.filter((p) => p !== "scale" && p !== "cluster");

// y-websocket's provider adds a process "exit" listener per instance in Node; 100+ clients is intended.
process.setMaxListeners(0);

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const quick = args.includes("--quick");
const tmpfs = args.includes("--tmpfs");
const postgres = !args.includes("--no-postgres");
const named: readonly string[] = only ?? DEFAULT_PARTS;
/** The relay part includes its group row; `--only=group` runs that row alone. */
const parts = PARTS.filter((p) => named.includes(p) || (p === "group" && named.includes("relay")));
const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown part(s) ${unknown.join(", ")}; choose from ${PARTS.join(", ")}`);
  process.exit(2);
}

const startedAt = new Date();
const t0 = performance.now();
const load = os
  .loadavg()
  .map((n) => n.toFixed(2))
  .join(" ");
console.log(
  `messenger bench: ${parts.join(", ")}${quick ? " (quick)" : ""} | node ${process.version} | ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"} | load ${load}`,
);
if (typeof (globalThis as { gc?: unknown }).gc !== "function")
  console.log("  (run with node --expose-gc for steadier doc-shape timings; `npm run bench` does)");

const needsOurs = parts.some((p) => p !== "shapes" && p !== "search");
const oursSkipReason = needsOurs ? await ourServerReady() : null;
if (needsOurs && process.env.BENCH_SERVER_MAIN) console.log(`  our server: ${OUR_MAIN} (BENCH_SERVER_MAIN)`);
if (oursSkipReason) console.log(`  our server is not measured in this run: ${oursSkipReason}`);

const results: Partial<Record<Part, unknown>> = {};
const failures: Partial<Record<Part, string>> = {};
const run = async (part: Part, fn: () => Promise<unknown> | unknown) => {
  if (!parts.includes(part)) return;
  const started = performance.now();
  try {
    results[part] = await fn();
  } catch (e) {
    failures[part] = (e as Error).stack ?? String(e);
    console.log(`\n${part}: FAILED (printed, not thrown, so the other parts still run):\n${(e as Error).message}`);
  }
  console.log(
    `  [${part}: ${((performance.now() - started) / 1000).toFixed(1)} s; load ${os.loadavg()[0]?.toFixed(2)}]`,
  );
};

await run("relay", () =>
  relayBench({
    ours: oursSkipReason === null,
    oursSkipReason: oursSkipReason ?? undefined,
    tmpfs,
    postgres,
    options: quick ? { rounds: 1, pairs: 10, pacedMessages: 20, saturatedMessages: 40 } : {},
  }),
);
await run("group", () =>
  groupBench({
    ours: oursSkipReason === null,
    oursSkipReason: oursSkipReason ?? undefined,
    postgres,
    options: quick ? GROUP_QUICK : {},
  }),
);
await run("shapes", () => docShapeBench(quick ? { messages: 10_000, arrayMessages: 4_000, runs: 2 } : {}));
await run("long", () => {
  if (oursSkipReason) {
    console.log(`\nServer open of a long conversation: skipped: ${oursSkipReason}`);
    return { skipped: oursSkipReason };
  }
  return longConversationBench(quick ? { longMessages: 5_000, warmOpens: 2 } : {});
});
await run("search", () => searchBench({ postgres, options: quick ? SEARCH_QUICK : {} }));
await run("client", () =>
  clientMetrics({
    demoUser: DEMO_USERS[0]?.username ?? "alice",
    demoPassword: DEMO_PASSWORD,
    serverSkipReason: oursSkipReason,
  }),
);
await run("abuse", () => {
  if (oursSkipReason) {
    console.log(`\nAbuse: skipped: ${oursSkipReason}`);
    return { skipped: oursSkipReason };
  }
  return abuseBench(
    quick ? { slowReaderSockets: [3, 8], sampleMs: 4000, probeMs: 5000, honestMessagesPerClient: 25 } : {},
  );
});
await run("scale", () =>
  scaleBench({
    ours: oursSkipReason === null,
    oursSkipReason: oursSkipReason ?? undefined,
    postgres,
    options: quick ? SCALE_QUICK : {},
  }),
);
await run("cluster", () =>
  clusterBench({
    ours: oursSkipReason === null,
    oursSkipReason: oursSkipReason ?? undefined,
    options: quick ? CLUSTER_QUICK : {},
  }),
);

const seconds = (performance.now() - t0) / 1000;
const dir = path.join(REPO_ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const report = {
  startedAt: startedAt.toISOString(),
  seconds,
  quick,
  parts,
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    loadavgAtStart: load,
    totalMemBytes: os.totalmem(),
  },
  oursSkipReason,
  results,
  failures,
};
const file = path.join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(dir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\ndone in ${seconds.toFixed(1)} s; results: ${path.relative(REPO_ROOT, file)} (and bench/results/latest.json)`,
);
// Providers and sockets are destroyed above; exit so a stray timer in a dependency cannot hold the run open.
process.exit(Object.keys(failures).length > 0 ? 1 : 0);
