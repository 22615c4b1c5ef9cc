/**
 * Scenarios 2 and 3, one row per flood: while one user floods from a child process
 * (src/abuse/flood-client.ts), this process probes GET /api/health every 20 ms and two
 * honest users, already connected, exchange messages in their own conversation through
 * the relay bench's clients (runScenario, paced phase only); a third honest socket opens
 * the conversation fresh. The "no flood" row is the baseline.
 */
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";
import type { BenchUser, OurServer } from "../lib/our-server.js";
import { type Child, REPO_ROOT, sampleGauge, startNode } from "../lib/processes.js";
import { sleep, withTimeout } from "../lib/wait.js";
import { connect } from "../relay/clients.js";
import { type RelayTarget, type Room, runScenario, type ScenarioResult } from "../relay/scenario.js";
import type { FloodConfig, FloodReport } from "./flood-client.js";
import { type HealthProbe, probeHealth } from "./health-probe.js";

export interface FloodSpec {
  name: string;
  /** null: the baseline, nobody floods. */
  mode: FloodConfig["mode"] | null;
  docName: string;
}

export interface FloodOptions {
  /** Flood sockets, all of them the attacker's (one user, one session). */
  sockets: number;
  /** Frames each flood socket sends per second. */
  framesPerSecond: number;
  probeMs: number;
  /** Messages each honest client writes at 5/s (the pair: one every 100 ms). */
  honestMessagesPerClient: number;
  /** Stop the flood if the server's RSS passes this (protects the machine, not a finding to hide: it is printed). */
  rssGuardBytes: number;
}

export interface FloodRow {
  name: string;
  health: HealthProbe;
  /** The honest pair, connected before the flood started; or why it could not run. */
  honest: Pick<ScenarioResult, "paced" | "closeCodes"> | { failed: string };
  /** ms for a fresh honest socket to sync its conversation, opened 1 s into the flood; NaN: not within probeMs. */
  freshSyncMs: number;
  flood: FloodReport | null;
  rssStartBytes: number;
  rssPeakBytes: number;
  serverCpuPercent: number;
  /** ms from the flood's end until /api/health answers fast again (NaN: did not within RECOVER_MAX_MS). */
  recoverMs: number;
  guardTripped: boolean;
  loadAvg: number;
  seconds: number;
}

/** What runs during the flood, started together once it began. */
interface UnderFlood {
  probe: Promise<HealthProbe>;
  fresh: Promise<number>;
  cpuBefore: number;
  at: number;
}

const HEALTH_INTERVAL_MS = 20;
export const HONEST_RATE_PER_CLIENT = 5;
/** An honest message not seen this long after the pair's last write counts as lost. */
export const HONEST_LOST_AFTER_MS = 3000;
/** The flood outlasts the probe and the honest paced phase, which start together. */
const FLOOD_MARGIN_MS = 2500;
const FRESH_SYNC_DELAY_MS = 1000;
const CHILD_READY_TIMEOUT_MS = 20_000;
const RSS_SAMPLE_MS = 250;
const RECOVER_FAST_MS = 50;
export const RECOVER_MAX_MS = 10_000;

/**
 * One row: the honest pair connects and syncs, then the flood starts (in the runScenario
 * hook), then the probe, a fresh honest sync and the honest paced phase run under it.
 */
export async function floodRow(
  server: OurServer,
  honest: RelayTarget,
  attacker: BenchUser,
  spec: FloodSpec,
  o: FloodOptions,
): Promise<FloodRow> {
  const t0 = performance.now();
  const rssStartBytes = server.child.rss();
  const [room] = await honest.rooms(1);
  if (!room) throw new Error("no honest room");
  const rss = sampleGauge(() => server.child.rss(), RSS_SAMPLE_MS);
  // Set by startFlood, which runs inside runScenario (a holder, so TypeScript does not narrow it away).
  const live: { flooder?: Child; underFlood?: UnderFlood } = {};
  let guardTripped = false;
  const guard = setInterval(() => {
    if (!live.flooder || guardTripped || server.child.rss() < o.rssGuardBytes) return;
    guardTripped = true;
    void live.flooder.stop();
  }, RSS_SAMPLE_MS);
  let result: Promise<FloodReport | null> = Promise.resolve(null);

  const startFlood = async () => {
    if (spec.mode) {
      const child = startFlooder(server, attacker, spec, o);
      live.flooder = child;
      // Both listeners first: lines printed before a listener exists are not replayed.
      const flooding = child.waitForJson((v) => (v as { flooding?: number }).flooding, CHILD_READY_TIMEOUT_MS);
      result = child
        .waitForJson(
          (v) => (v as { result?: FloodReport }).result,
          CHILD_READY_TIMEOUT_MS + o.probeMs + FLOOD_MARGIN_MS,
        )
        .catch(() => null); // stopped by the guard, or it died: the row says so
      await flooding;
    }
    live.underFlood = {
      probe: probeHealth(server.baseUrl, o.probeMs, HEALTH_INTERVAL_MS),
      fresh: sleep(FRESH_SYNC_DELAY_MS).then(() => freshSync(server, room, o.probeMs)),
      cpuBefore: server.child.cpuMs(),
      at: performance.now(),
    };
  };

  try {
    const honestRun = await runScenario(
      honest,
      {
        pairs: 1,
        pacedMessages: o.honestMessagesPerClient,
        ratePerClient: HONEST_RATE_PER_CLIENT,
        saturatedMessages: 0,
        window: 1,
        phaseTimeoutMs: (o.honestMessagesPerClient / HONEST_RATE_PER_CLIENT) * 1000 + HONEST_LOST_AFTER_MS,
      },
      { connected: startFlood },
    ).then(
      (r) => ({ paced: r.paced, closeCodes: r.closeCodes }),
      (err: Error) => ({ failed: err.message.split("\n")[0] ?? "failed" }),
    );
    // The honest pair could not connect, so the hook never ran: flood and probe anyway.
    if (!live.underFlood) await startFlood();
    const u = live.underFlood as UnderFlood;
    const health = await u.probe;
    const serverCpuPercent = ((server.child.cpuMs() - u.cpuBefore) / (performance.now() - u.at)) * 100;
    const freshSyncMs = await u.fresh;
    const flood = await withTimeout(result, o.probeMs + FLOOD_MARGIN_MS + CHILD_READY_TIMEOUT_MS, "the flood to end");
    await live.flooder?.stop();
    const recoverMs = spec.mode ? await recover(server.baseUrl) : Number.NaN;
    return {
      name: spec.name,
      health,
      honest: honestRun,
      freshSyncMs,
      flood,
      rssStartBytes,
      rssPeakBytes: Math.max(rssStartBytes, rss.peak()),
      serverCpuPercent,
      recoverMs,
      guardTripped,
      loadAvg: os.loadavg()[0] ?? Number.NaN,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clearInterval(guard);
    rss.stop();
    await live.flooder?.stop();
  }
}

function startFlooder(server: OurServer, attacker: BenchUser, spec: FloodSpec, o: FloodOptions): Child {
  const config: FloodConfig = {
    url: `${server.wsUrl}/${spec.docName}`,
    headers: attacker.headers,
    sockets: o.sockets,
    mode: spec.mode ?? "sync",
    author: attacker.id,
    framesPerSecond: o.framesPerSecond,
    durationMs: o.probeMs + FLOOD_MARGIN_MS,
  };
  return startNode(path.join(REPO_ROOT, "bench/src/abuse/flood-client.ts"), {}, [JSON.stringify(config)]);
}

/** A new honest socket (the first writer of `room`) syncing its conversation, as a tab opening it would. */
async function freshSync(server: OurServer, room: Room, timeoutMs: number): Promise<number> {
  const doc = new Y.Doc();
  const t0 = performance.now();
  const conn = connect({
    kind: "y-websocket",
    url: server.wsUrl,
    room: room.name,
    doc,
    headers: room.writers[0].headers,
    syncTimeoutMs: timeoutMs,
  });
  try {
    await conn.synced;
    return performance.now() - t0;
  } catch {
    return Number.NaN;
  } finally {
    conn.destroy();
    doc.destroy();
  }
}

/** Waits until two health probes in a row answer within RECOVER_FAST_MS; returns how long that took. */
async function recover(baseUrl: string): Promise<number> {
  const t0 = performance.now();
  let fast = 0;
  while (performance.now() - t0 < RECOVER_MAX_MS) {
    const started = performance.now();
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(RECOVER_MAX_MS) });
      await res.arrayBuffer();
      fast = res.ok && performance.now() - started < RECOVER_FAST_MS ? fast + 1 : 0;
    } catch {
      fast = 0;
    }
    if (fast >= 2) return performance.now() - t0;
    await sleep(HEALTH_INTERVAL_MS);
  }
  return Number.NaN;
}
