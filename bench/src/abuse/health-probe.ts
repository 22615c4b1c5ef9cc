/**
 * `GET /api/health` every `intervalMs`, one request at a time: a request that is slow
 * (the server's event loop is busy) delays the next one, so one stall shows up as one
 * long sample rather than a pile of queued ones. The bench process's own event-loop
 * delay is measured alongside, to tell a slow server from a slow prober.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type LatencySummary, summarize } from "../lib/stats.js";
import { sleep } from "../lib/wait.js";

/** A probe that gets no answer this long counts as this long (and as failed): a stalled server still yields samples. */
export const PROBE_TIMEOUT_MS = 2000;

export interface HealthProbe {
  /** Every probe, timed-out ones at PROBE_TIMEOUT_MS. */
  latencyMs: LatencySummary;
  /** Probes that got no 200 within PROBE_TIMEOUT_MS: "timeout", "HTTP 503", ... */
  failures: string[];
  /** p99 of this process's event-loop delay during the probe, in ms. */
  proberLoopP99Ms: number;
}

export async function probeHealth(baseUrl: string, durationMs: number, intervalMs: number): Promise<HealthProbe> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const samples: number[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  let next = t0;
  while (performance.now() - t0 < durationMs) {
    const started = performance.now();
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.arrayBuffer();
      if (res.status === 200) samples.push(performance.now() - started);
      else failures.push(`HTTP ${res.status}`);
    } catch (err) {
      const timedOut = (err as Error).name === "TimeoutError";
      failures.push(timedOut ? "timeout" : `error ${(err as Error).message}`);
      if (timedOut) samples.push(PROBE_TIMEOUT_MS);
    }
    next += intervalMs;
    await sleep(Math.max(0, next - performance.now()));
    next = Math.max(next, performance.now());
  }
  loop.disable();
  return { latencyMs: summarize(samples), failures, proberLoopP99Ms: loop.percentile(99) / 1e6 };
}
