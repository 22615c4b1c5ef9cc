/**
 * The relay scenario, identical for every server: `pairs` documents with two clients
 * each, both writing messages into Y.Map("messages") as the real client does. Latency
 * is measured from the write (performance.now() in this process) to the moment the
 * peer client's map observer sees the key, so both ends share one clock.
 *
 * Two phases per server:
 *   paced      each client writes `pacedMessages` at `ratePerClient` msg/s (open loop):
 *              latency at a fixed, moderate load.
 *   saturated  each client keeps `window` messages in flight (written, not yet seen by
 *              its peer) until it wrote `saturatedMessages` (closed loop): the most
 *              messages/s the server sustains with the client process on the same box.
 */
import os from "node:os";
import { MESSAGES_ROOT, type MessageRecord, newMessageId } from "@messenger/shared";
import * as Y from "yjs";
import { sampleGauge } from "../lib/processes.js";
import { type LatencySummary, summarize } from "../lib/stats.js";
import { sleep } from "../lib/wait.js";
import { type ClientConnection, type ClientKind, connect } from "./clients.js";

export interface Writer {
  /** The MessageRecord.author this client writes (our relay checks it is the socket's user). */
  author: string;
  headers: Record<string, string>;
  /**
   * The server this writer's socket goes to, when not the one the whole run uses (the scale
   * bench's clients only): the cluster bench puts the two writers of a room on different processes.
   */
  url?: string;
}

export interface Room {
  name: string;
  writers: [Writer, Writer];
}

export interface RelayTarget {
  name: string;
  kind: ClientKind;
  url: string;
  /** One line on what the server does with each update (persistence, validation). */
  durability: string;
  serverRss(): number;
  serverCpuMs(): number;
  rooms(count: number): Promise<Room[]>;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  pairs: number;
  pacedMessages: number;
  ratePerClient: number;
  saturatedMessages: number;
  window: number;
  phaseTimeoutMs: number;
}

export interface PhaseResult {
  sent: number;
  delivered: number;
  lost: number;
  seconds: number;
  messagesPerSecond: number;
  latencyMs: LatencySummary;
  /** Server CPU (user + system) per 1000 delivered messages, in ms. */
  serverCpuMsPer1k: number;
}

export interface ScenarioResult {
  server: string;
  durability: string;
  clients: number;
  connectMs: number;
  paced: PhaseResult;
  saturated: PhaseResult;
  rssIdleBytes: number;
  rssConnectedBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  /** Close codes the clients saw from the server during the run (the provider reconnects after each). */
  closeCodes: number[];
  /** 1-minute load average of the machine when this server's run ended (2 cores: > 2 means contention). */
  loadAvg: number;
}

interface BenchClient {
  index: number;
  doc: Y.Doc;
  map: Y.Map<MessageRecord>;
  writer: Writer;
  conn: ClientConnection;
  written: number;
  inFlight: number;
  /** Called when one of this client's messages reached its peer. */
  onDelivered: () => void;
}

const RSS_SAMPLE_MS = 250;
const TEXT = "lorem ipsum dolor sit amet, consectetur adipiscing elit";

export interface ScenarioHooks {
  /** Runs once every client synced, before the first phase (the abuse bench starts its flood here). */
  connected?: () => Promise<void>;
}

export async function runScenario(
  target: RelayTarget,
  opts: ScenarioOptions,
  hooks: ScenarioHooks = {},
): Promise<ScenarioResult> {
  const rssIdleBytes = target.serverRss();
  const rooms = await target.rooms(opts.pairs);
  const pending = new Map<string, { at: number; sender: BenchClient }>();
  let samples: number[] = [];
  let lastDeliveredAt = 0;
  const closeCodes: number[] = [];

  const clients: BenchClient[] = [];
  const t0 = performance.now();
  for (const room of rooms) {
    for (const writer of room.writers) {
      const doc = new Y.Doc();
      const map = doc.getMap<MessageRecord>(MESSAGES_ROOT);
      const conn = connect({
        kind: target.kind,
        url: target.url,
        room: room.name,
        doc,
        headers: writer.headers,
        onClose: (code) => closeCodes.push(code),
      });
      const client: BenchClient = {
        index: clients.length,
        doc,
        map,
        writer,
        conn,
        written: 0,
        inFlight: 0,
        onDelivered: () => {},
      };
      map.observe((event) => {
        if (event.transaction.local) return;
        const now = performance.now();
        for (const key of event.keysChanged) {
          const p = pending.get(key);
          if (!p) continue;
          pending.delete(key);
          samples.push(now - p.at);
          lastDeliveredAt = now;
          p.sender.inFlight--;
          p.sender.onDelivered();
        }
      });
      clients.push(client);
    }
  }
  const rss = sampleGauge(() => target.serverRss(), RSS_SAMPLE_MS);

  try {
    await Promise.all(clients.map((c) => c.conn.synced));
    const connectMs = performance.now() - t0;
    await sleep(300);
    const rssConnectedBytes = target.serverRss();
    await hooks.connected?.();

    const write = (c: BenchClient) => {
      const id = newMessageId();
      const record: MessageRecord = {
        id,
        author: c.writer.author,
        text: `${c.written} ${TEXT}`,
        createdAt: Date.now(),
      };
      c.written++;
      c.inFlight++;
      pending.set(id, { at: performance.now(), sender: c });
      c.map.set(id, record);
    };

    const runPhase = async (start: () => void, total: number): Promise<PhaseResult> => {
      samples = [];
      pending.clear();
      for (const c of clients) {
        c.written = 0;
        c.inFlight = 0;
      }
      const startedAt = performance.now();
      const cpuAtStart = target.serverCpuMs();
      lastDeliveredAt = startedAt;
      const done = new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (samples.length >= total || performance.now() - startedAt > opts.phaseTimeoutMs) {
            clearInterval(check);
            resolve();
          }
        }, 10);
      });
      start();
      await done;
      const delivered = samples.length;
      const cpuMs = target.serverCpuMs() - cpuAtStart;
      const seconds = (lastDeliveredAt - startedAt) / 1000;
      return {
        sent: clients.reduce((n, c) => n + c.written, 0),
        delivered,
        lost: total - delivered,
        seconds,
        messagesPerSecond: seconds > 0 ? delivered / seconds : Number.NaN,
        latencyMs: summarize(samples),
        serverCpuMsPer1k: delivered > 0 ? (cpuMs / delivered) * 1000 : Number.NaN,
      };
    };

    // Paced: drift-corrected timers, each client starting at a random offset in its interval.
    const intervalMs = 1000 / opts.ratePerClient;
    const timers = new Set<NodeJS.Timeout>();
    const paced = await runPhase(() => {
      for (const c of clients) {
        const begin = performance.now() + Math.random() * intervalMs;
        const tick = () => {
          write(c);
          if (c.written >= opts.pacedMessages) return;
          const due = begin + c.written * intervalMs;
          const t = setTimeout(tick, Math.max(0, due - performance.now()));
          timers.add(t);
        };
        timers.add(setTimeout(tick, begin - performance.now()));
      }
    }, clients.length * opts.pacedMessages);
    for (const t of timers) clearTimeout(t);
    await sleep(300);

    // Saturated: closed loop with a window per client.
    const saturated = await runPhase(() => {
      for (const c of clients) {
        c.onDelivered = () => {
          // Checked inside the task: several deliveries may queue before one write runs.
          queueMicrotask(() => {
            if (c.written < opts.saturatedMessages) write(c);
          });
        };
        for (let i = 0; i < opts.window && c.written < opts.saturatedMessages; i++) write(c);
      }
    }, clients.length * opts.saturatedMessages);
    for (const c of clients) c.onDelivered = () => {};
    await sleep(300);
    const rssAfterBytes = target.serverRss();

    return {
      server: target.name,
      durability: target.durability,
      clients: clients.length,
      connectMs,
      paced,
      saturated,
      rssIdleBytes,
      rssConnectedBytes,
      rssPeakBytes: Math.max(rssIdleBytes, rss.peak(), rssAfterBytes),
      rssAfterBytes,
      closeCodes: [...closeCodes],
      loadAvg: os.loadavg()[0] ?? Number.NaN,
    };
  } finally {
    rss.stop();
    for (const c of clients) {
      c.conn.destroy();
      c.doc.destroy();
    }
    await sleep(200);
  }
}
