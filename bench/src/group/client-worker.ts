/**
 * Child-process entry: one of the group bench's client processes (forked with IPC). It holds
 * some members of one group document, each a lightweight y-protocols client (scale/light-client.ts)
 * that writes and reads, and runs the commands of worker-protocol.ts one at a time.
 *
 * The author of a message and its readers are in different processes, so a message carries
 * its send time in its text ("p<phase>:<epoch ms> …", `performance.timeOrigin + now()`: one
 * wall clock on one machine, sub-millisecond) and each reader takes its own latency. A
 * reader counts a message once, and never its own (y-websocket's server echoes a write).
 */
import { sleep } from "../lib/wait.js";
import type { Writer } from "../relay/scenario.js";
import { LightClient, type Protocol, type ReceivedMessage } from "../scale/light-client.js";
import type { GroupCommand, GroupPhaseReport, SyncReport } from "./worker-protocol.js";

const PACE_TICK_MS = 5;
const POLL_MS = 10;
const TEXT = "lorem ipsum dolor sit amet, consectetur adipiscing elit";

let members: LightClient[] = [];
let closes: string[] = [];
const opening = new Set<LightClient>();
/** The current phase's tag; messages of another phase (a late warm-up one) are not counted. */
let tag = "";
/** Per member, the ids of this phase's messages it has seen. */
const seen = new Map<LightClient, Set<string>>();
let samples: number[] = [];
let lastDeliveryAt = 0;

const wallNow = () => performance.timeOrigin + performance.now();

function received(reader: LightClient, messages: ReceivedMessage[]): void {
  const at = wallNow();
  for (const m of messages) {
    if (m.author === reader.o.author || !m.text.startsWith(tag)) continue;
    const ids = seen.get(reader);
    if (!ids || ids.has(m.id)) continue;
    ids.add(m.id);
    const sentAt = Number(m.text.slice(tag.length, m.text.indexOf(" ", tag.length)));
    samples.push(Math.round((at - sentAt) * 1000) / 1000);
    lastDeliveryAt = at;
  }
}

function member(protocol: Protocol, url: string, room: string, w: Writer): LightClient {
  return new LightClient({
    protocol,
    url,
    room,
    headers: w.headers,
    author: w.author,
    onSynced: (c) => opening.delete(c),
    onClosed: (_c, outcome) => closes.push(outcome),
    onKeys: () => {},
    onMessages: received,
  });
}

async function connect(concurrency: number, timeoutMs: number): Promise<SyncReport> {
  closes = [];
  const deadline = performance.now() + timeoutMs;
  opening.clear();
  let next = 0;
  while (performance.now() < deadline) {
    for (; next < members.length && opening.size < concurrency; next++) {
      const c = members[next] as LightClient;
      opening.add(c);
      c.open();
    }
    if (next >= members.length && opening.size === 0) break;
    await sleep(1);
  }
  opening.clear();
  return { missing: members.filter((c) => !c.synced).length, closes };
}

async function pace(c: Extract<GroupCommand, { cmd: "pace" }>): Promise<GroupPhaseReport> {
  closes = [];
  samples = [];
  tag = `p${c.phase}:`;
  for (const m of members) seen.set(m, new Set());
  const total = Math.round((c.perSecond * c.durationMs) / 1000);
  const startedAt = wallNow();
  lastDeliveryAt = startedAt;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * c.perSecond));
      for (; sent < due; sent++) {
        const author = members[Math.floor(Math.random() * members.length)] as LightClient;
        author.write(`${tag}${wallNow().toFixed(3)} ${TEXT}`);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, PACE_TICK_MS);
  });
  const expected = c.phaseMessages * members.length - sent;
  const drainUntil = performance.now() + c.drainMs;
  while (samples.length < expected && performance.now() < drainUntil) await sleep(POLL_MS);
  return { sent, delivered: samples.length, expected, spanMs: lastDeliveryAt - startedAt, samples, closes };
}

async function run(c: GroupCommand): Promise<object> {
  switch (c.cmd) {
    case "setup":
      members = c.members.map((w) => member(c.protocol, c.url, c.room, w));
      return { ok: true };
    case "connect":
      return connect(c.concurrency, c.timeoutMs);
    case "pace":
      return pace(c);
    case "close":
      for (const m of members) m.close();
      members = [];
      seen.clear();
      return { ok: true };
  }
}

// One command at a time, in order: the coordinator waits for each answer anyway.
let queue = Promise.resolve();
process.on("message", (request: { seq: number } & GroupCommand) => {
  queue = queue.then(async () => {
    let reply: object;
    try {
      reply = await run(request);
    } catch (error) {
      reply = { error: (error as Error).stack ?? String(error) };
    }
    process.send?.({ seq: request.seq, ...reply });
  });
});
process.on("disconnect", () => process.exit(0));
