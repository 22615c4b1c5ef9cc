/**
 * Child-process entry: one of the scale bench's client processes (forked with IPC by
 * client-pool.ts). It holds the writers of its rooms and any idle sockets, and runs the
 * commands of worker-protocol.ts one at a time. Per message it does the least it can:
 * one `addMessage` and one frame to send; one `Y.decodeUpdate` and a map lookup to receive.
 */
import { sleep } from "../lib/wait.js";
import type { Room } from "../relay/scenario.js";
import { LightClient, type Protocol } from "./light-client.js";
import type { Command, PhaseReport, Reply, Request, SyncReport } from "./worker-protocol.js";

const PACE_TICK_MS = 5;
const POLL_MS = 10;

let protocol: Protocol = "y-websocket";
let url = "";
let rooms: Room[] = [];
let writers: LightClient[] = [];
const idle: LightClient[] = [];
let closes: string[] = [];
/** Sockets of the current openAll batch that have not synced yet. */
const opening = new Set<LightClient>();
/** Messages written and not yet seen by the other client of their room. */
const pending = new Map<string, { at: number; sender: LightClient }>();
let samples: number[] = [];
let lastDeliveryAt = 0;
let onDelivered: (sender: LightClient) => void = () => {};

function client(room: string, headers: Record<string, string>, author: string | null, at = url): LightClient {
  return new LightClient({
    protocol,
    url: at,
    room,
    headers,
    author,
    onSynced: (c) => opening.delete(c),
    onClosed: (_c, outcome) => closes.push(outcome),
    onKeys: (receiver, keys) => {
      const now = performance.now();
      for (const key of keys) {
        const p = pending.get(key);
        if (!p || p.sender === receiver) continue; // y-websocket echoes a write to its own socket
        pending.delete(key);
        samples.push(now - p.at);
        lastDeliveryAt = now;
        p.sender.inFlight--;
        onDelivered(p.sender);
      }
    },
  });
}

function write(c: LightClient): void {
  const at = performance.now();
  pending.set(c.write(), { at, sender: c });
  c.inFlight++;
}

/** Opens `clients` with at most `concurrency` waiting for their first sync; resolves when all synced or at the deadline. */
async function openAll(clients: LightClient[], concurrency: number, timeoutMs: number): Promise<SyncReport> {
  closes = [];
  const deadline = performance.now() + timeoutMs;
  opening.clear();
  let next = 0;
  while (performance.now() < deadline) {
    for (; next < clients.length && opening.size < concurrency; next++) {
      const c = clients[next] as LightClient;
      opening.add(c);
      c.open();
    }
    if (next >= clients.length && opening.size === 0) break;
    await sleep(1);
  }
  opening.clear();
  return { missing: clients.filter((c) => !c.synced).length, closes };
}

/** Resolves once every writer's sync count passed what it was when this was called (or at the deadline). */
async function resynced(timeoutMs: number, before = writers.map((c) => c.syncs)): Promise<SyncReport> {
  const deadline = performance.now() + timeoutMs;
  const behind = () => writers.filter((c, i) => c.syncs <= (before[i] as number)).length;
  while (behind() > 0 && performance.now() < deadline) await sleep(POLL_MS);
  return { missing: behind(), closes };
}

async function phase(start: () => () => boolean, drainMs: number): Promise<PhaseReport> {
  closes = [];
  samples = [];
  pending.clear();
  for (const c of writers) c.inFlight = 0;
  const sentBefore = writers.reduce((n, c) => n + c.written, 0);
  const startedAt = performance.now();
  lastDeliveryAt = startedAt;
  const writing = start();
  while (writing()) await sleep(POLL_MS);
  const drainUntil = performance.now() + drainMs;
  while (pending.size > 0 && performance.now() < drainUntil) await sleep(POLL_MS);
  onDelivered = () => {};
  return {
    sent: writers.reduce((n, c) => n + c.written, 0) - sentBefore,
    delivered: samples.length,
    spanMs: lastDeliveryAt - startedAt,
    samples,
    closes,
  };
}

function pace(perSecond: number, durationMs: number): () => boolean {
  const order = [...writers].sort(() => Math.random() - 0.5);
  const total = Math.round((perSecond * durationMs) / 1000);
  const t0 = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * perSecond));
    for (; sent < due; sent++) write(order[sent % order.length] as LightClient);
    if (sent >= total) clearInterval(timer);
  }, PACE_TICK_MS);
  return () => sent < total;
}

function saturate(window: number, durationMs: number): () => boolean {
  const until = performance.now() + durationMs;
  onDelivered = (sender) => {
    if (performance.now() < until) write(sender);
  };
  for (const c of writers) for (let i = 0; i < window; i++) write(c);
  return () => performance.now() < until;
}

async function run(c: Command): Promise<Omit<Reply, "seq">> {
  switch (c.cmd) {
    case "setup":
      ({ protocol, url, rooms } = c);
      writers = rooms.flatMap((r) => r.writers.map((w) => client(r.name, w.headers, w.author, w.url)));
      return { ok: true };
    case "connect":
      return openAll(writers, c.concurrency, c.timeoutMs);
    case "pace":
      return phase(() => pace(c.perSecond, c.durationMs), c.drainMs);
    case "saturate":
      return phase(() => saturate(c.window, c.durationMs), c.drainMs);
    case "drop": {
      closes = [];
      const before = writers.map((w) => w.syncs);
      for (const w of writers) w.drop();
      return resynced(c.timeoutMs, before);
    }
    case "resync":
      closes = [];
      return resynced(c.timeoutMs);
    case "idle": {
      const added: LightClient[] = [];
      for (let i = idle.length; i < c.total; i++) {
        const room = rooms[i % rooms.length] as Room;
        const w = room.writers[Math.floor(i / rooms.length) % 2] as Room["writers"][number];
        added.push(client(room.name, w.headers, null, w.url));
      }
      idle.push(...added);
      return openAll(added, c.concurrency, c.timeoutMs);
    }
    case "closeIdle":
      for (const x of idle) x.close();
      idle.length = 0;
      return { ok: true };
    case "close":
      for (const x of [...writers, ...idle]) x.close();
      writers = [];
      idle.length = 0;
      pending.clear();
      return { ok: true };
  }
}

// One command at a time, in order: the coordinator waits for each answer anyway.
let queue = Promise.resolve();
process.on("message", (request: Request) => {
  queue = queue.then(async () => {
    let reply: Omit<Reply, "seq">;
    try {
      reply = await run(request);
    } catch (error) {
      reply = { error: (error as Error).stack ?? String(error) };
    }
    process.send?.({ seq: request.seq, ...reply });
  });
});
process.on("disconnect", () => process.exit(0));
