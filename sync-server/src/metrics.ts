/**
 * Prometheus metrics for one server process (prom-client), served at GET /metrics.
 * A registry per process (not prom-client's global one), so tests can build many apps.
 *
 *   messenger_http_requests_total{method,route,status}    HTTP requests by route pattern and status
 *   messenger_http_request_duration_seconds{method,route} their latency
 *   messenger_sockets_open                                 sockets open now
 *   messenger_socket_upgrades_refused_total{code}          upgrades refused before a socket existed
 *   messenger_frames_refused_total{reason}                 frames the relay refused (its close code)
 *   messenger_rooms_loaded                                 documents in memory now
 *   messenger_commits_total{result}                        the relay's per-tick transactions
 *   messenger_commit_duration_seconds                      their latency
 * plus prom-client's default process and Node.js metrics when `defaultMetrics` is on.
 */
import client from "prom-client";
import type { RelayMetrics } from "./relay/metrics.js";

const PREFIX = "messenger_";
/** Commits are single SQLite transactions with an fsync: sub-millisecond to tens of ms. */
const COMMIT_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const HTTP_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface Metrics {
  readonly contentType: string;
  /** The exposition text for a scrape. */
  render(): Promise<string>;
  /** One finished HTTP request; `route` is the matched pattern (never the raw path: bounded labels). */
  httpRequest(method: string, route: string, status: number, ms: number): void;
  /** Reports the number of loaded rooms at each scrape. */
  countRoomsWith(count: () => number): void;
  relay: RelayMetrics;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.defaultMetrics) client.collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new client.Counter({
    name: `${PREFIX}http_requests_total`,
    help: "HTTP requests by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const httpDuration = new client.Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: "HTTP request latency by method and route pattern.",
    labelNames: ["method", "route"] as const,
    buckets: HTTP_BUCKETS_S,
    registers,
  });
  const socketsOpen = new client.Gauge({
    name: `${PREFIX}sockets_open`,
    help: "Sync sockets open now.",
    registers,
  });
  const upgradesRefused = new client.Counter({
    name: `${PREFIX}socket_upgrades_refused_total`,
    help: "Socket upgrades refused before a socket existed, by error code.",
    labelNames: ["code"] as const,
    registers,
  });
  const framesRefused = new client.Counter({
    name: `${PREFIX}frames_refused_total`,
    help: "Frames the relay refused (closing their socket), by close code name.",
    labelNames: ["reason"] as const,
    registers,
  });
  const commitConflicts = new client.Counter({
    name: `${PREFIX}commit_conflicts_total`,
    help: "Commits that lost to another process's commit, by kind (sequence: caught up and retried; client, message: a write refused).",
    labelNames: ["kind"] as const,
    registers,
  });
  let countRooms: () => number = () => 0;
  new client.Gauge({
    name: `${PREFIX}rooms_loaded`,
    help: "Documents loaded in memory now.",
    registers,
    collect() {
      this.set(countRooms());
    },
  });
  const commits = new client.Counter({
    name: `${PREFIX}commits_total`,
    help: "The relay's per-tick transactions, by result (ok, failed).",
    labelNames: ["result"] as const,
    registers,
  });
  const commitDuration = new client.Histogram({
    name: `${PREFIX}commit_duration_seconds`,
    help: "Latency of the relay's per-tick transactions.",
    buckets: COMMIT_BUCKETS_S,
    registers,
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    httpRequest(method, route, status, ms) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, ms / 1000);
    },
    countRoomsWith(count) {
      countRooms = count;
    },
    relay: {
      commit(ms, ok) {
        commits.inc({ result: ok ? "ok" : "failed" });
        commitDuration.observe(ms / 1000);
      },
      socketOpened: () => socketsOpen.inc(),
      socketClosed: () => socketsOpen.dec(),
      upgradeRefused: (code) => upgradesRefused.inc({ code }),
      frameRefused: (reason) => framesRefused.inc({ reason }),
      commitConflict: (kind) => commitConflicts.inc({ kind }),
    },
  };
}
