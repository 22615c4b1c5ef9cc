/**
 * What the cluster soaks share (issue 10): real server processes (the esbuild bundle, which
 * starts in about a second where tsx takes several) on one PostgreSQL database and one Redis,
 * each on a port it keeps through restarts; users writing and reading through all of them with
 * stock y-websocket providers whose documents outlive their sockets, as a real client's local
 * copy does; and the checks, made against the database itself as well as over HTTP and the
 * sync protocol. A process is killed and restarted on its own port; while it is down, its
 * clients reconnect to the next live process, as a load balancer would send them.
 */
import fs from "node:fs";
import path from "node:path";
import { addMessage, type Message, type MessageRecord, messagesMap, newMessageId } from "@messenger/shared";
import { expect, onTestFinished } from "vitest";
import type { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { buildServer, DEFAULT_OUTDIR } from "../../scripts/build.js";
import { type ServerProcess, spawnServer } from "./process.js";
import { connectTo, type TestUser, waitFor } from "./server.js";
import type { Database } from "./stored.js";

export const BASE_URL = "http://localhost:3000";
/**
 * The writers are faster than people (together about 20 messages a second, on sockets that
 * move between processes), so the per-user budgets are lifted rather than the soak slowed.
 */
export const UNTHROTTLED = {
  WRITE_BURST: "1000000",
  WRITES_PER_SECOND: "1000000",
  FRAME_BURST: "1000000",
  FRAMES_PER_SECOND: "1000000",
  SYNC_STEP1_BURST: "10000",
  SYNC_STEP1_PER_SECOND: "10000",
  UPGRADE_BURST: "10000",
  UPGRADES_PER_SECOND: "10000",
  TRIAL_BURST: "10000",
  TRIALS_PER_SECOND: "10000",
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const between = ([min, max]: readonly [number, number]) => min + Math.random() * (max - min);

/** Bundles the server beside the real bundle (so its npm imports resolve); call in `beforeAll`. */
export async function buildSoakEntry(): Promise<{ entry: string; remove: () => void }> {
  const outdir = path.join(DEFAULT_OUTDIR, `cluster-soak-${process.pid}`);
  const entry = await buildServer(outdir);
  return { entry, remove: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}

export type Clients = ReturnType<typeof connectTo>;

export interface ClusterNode {
  readonly index: number;
  /** Chosen by the first start, kept by every restart. */
  port: number;
  process: ServerProcess | null;
  clients: Clients;
}

/** `count` processes on `env`, started together; `kill` is SIGKILL, `restart` binds the same port again. */
export async function startClusterProcesses(count: number, env: Record<string, string>, entry: string) {
  const started: Array<{ index: number; proc: ServerProcess }> = [];
  const launch = async (index: number, port: number): Promise<ClusterNode> => {
    const proc = spawnServer({ BASE_URL, LOG_LEVEL: "warn", ...env, PORT: String(port) }, { node: [], entry });
    started.push({ index, proc });
    const bound = await proc.running;
    const clients = connectTo(`http://127.0.0.1:${bound}`, BASE_URL);
    onTestFinished(() => clients.cleanup());
    return { index, port: bound, process: proc, clients };
  };
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => launch(i, 0)));
  return {
    nodes,
    live: () => nodes.filter((n) => n.process !== null),
    async kill(node: ClusterNode): Promise<void> {
      const proc = node.process;
      if (!proc) return;
      node.process = null;
      proc.child.kill("SIGKILL");
      expect(await proc.exited).toBe("SIGKILL");
    },
    async restart(node: ClusterNode): Promise<void> {
      const again = await launch(node.index, node.port);
      node.process = again.process;
      node.clients = again.clients;
    },
    /** What every process started so far logged (warnings and errors), for a failure's report. */
    logs: () =>
      started.map(({ index, proc }) => `--- process ${index} (pid ${proc.child.pid})\n${proc.stderr}`).join("\n"),
  };
}

/** One device of a user: a document that outlives its sockets, connected to one process at a time. */
export interface SoakClient {
  readonly label: string;
  readonly user: TestUser;
  readonly doc: Y.Doc;
  /** The process it belongs on; it is elsewhere only while that one is down. */
  readonly home: number;
  at: number;
  provider: WebsocketProvider | null;
}

export function createClient(label: string, user: TestUser, home: number): SoakClient {
  const doc = new Y.Doc();
  onTestFinished(() => doc.destroy());
  return { label, user, doc, home, at: home, provider: null };
}

/** Drops the client's socket and opens one to `node` (the stock provider's URL is fixed). */
export function moveTo(client: SoakClient, node: ClusterNode, docName: string): void {
  if (client.provider) {
    client.provider.destroy();
    client.provider.awareness.destroy();
  }
  client.at = node.index;
  client.provider = node.clients.provider(client.user, docName, { doc: client.doc }).provider;
}

export const connected = (clients: SoakClient[]) =>
  clients.every((c) => c.provider?.wsconnected === true && c.provider.synced);

/** Marks as acknowledged every message that reaches a reader: the relay fans out only what it committed. */
export function acknowledgeWhatReaches(readers: SoakClient[], acknowledged: Set<string>): void {
  for (const r of readers)
    messagesMap(r.doc).observe((event) => {
      for (const id of event.keysChanged) acknowledged.add(id);
    });
}

/** Each writer adds a message every `everyMs` until stopped or `max` are written; `written` is id → record. */
export function startWriting(
  writers: SoakClient[],
  written: Map<string, MessageRecord>,
  opts: { everyMs: readonly [number, number]; max: number },
) {
  let stopped = false;
  const counts = new Map(writers.map((w) => [w, 0]));
  const loops = writers.map(async (w) => {
    for (let i = 0; !stopped && i < opts.max; i++) {
      const record = addMessage(w.doc, {
        id: newMessageId(),
        author: w.user.id,
        text: `${w.label} ${i}`,
        createdAt: Date.now(),
      });
      written.set(record.id, record);
      counts.set(w, i + 1);
      await sleep(between(opts.everyMs));
    }
  });
  return {
    written: (w: SoakClient) => counts.get(w) ?? 0,
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Every acknowledged message is committed: in the message index and in the stored document. */
export async function expectAcknowledgedStored(
  db: Database,
  conversationId: string,
  docName: string,
  acknowledged: Iterable<string>,
  when: string,
): Promise<void> {
  const ids = [...acknowledged]; // before reading: whatever is acknowledged later need not be there yet
  const indexed = new Set((await db.index(conversationId)).map((m) => m.id));
  const stored = messagesMap(await db.document(docName));
  expect(
    ids.filter((id) => !indexed.has(id)),
    `acknowledged but not in the index ${when}`,
  ).toEqual([]);
  expect(
    ids.filter((id) => !stored.has(id)),
    `acknowledged but not in the stored document ${when}`,
  ).toEqual([]);
}

/** Every message of the index, oldest first, following `before` through all pages. */
export async function pagedMessages(clients: Clients, user: TestUser, conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before = "";
  for (;;) {
    const page = await clients.api<{ messages: Message[]; hasMore: boolean }>(
      "GET",
      `/api/conversations/${conversationId}/messages?limit=200${before ? `&before=${before}` : ""}`,
      user,
    );
    expect(page.status).toBe(200);
    all.unshift(...page.body.messages);
    if (!page.body.hasMore) return all;
    before = (page.body.messages[0] as Message).id;
  }
}

const byKey = <T>(map: Iterable<[string, T]>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const contents = (doc: Y.Doc) => byKey(messagesMap(doc).entries());
const stateVector = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b);

/**
 * The end of a soak, every client back home: all copies hold the same document (state vectors
 * and messages), so does a fresh client of every process and the database; the message index
 * holds exactly the document's messages, each once, by the same author with the same text;
 * every acknowledged message is there, and so is everything a writer wrote (its client resent it).
 */
export async function expectConverged(opts: {
  nodes: ClusterNode[];
  clients: SoakClient[];
  db: Database;
  docName: string;
  conversationId: string;
  user: TestUser;
  acknowledged: Set<string>;
  written: Map<string, MessageRecord>;
}): Promise<void> {
  const { nodes, clients, db, docName, conversationId, user, acknowledged, written } = opts;
  const everything = [...written.keys()];
  await waitFor(
    () => clients.every((c) => everything.every((id) => messagesMap(c.doc).has(id))),
    "every message written in every client's copy",
    30_000,
  );
  const reference = clients[0] as SoakClient;
  await waitFor(
    () => clients.every((c) => JSON.stringify(stateVector(c.doc)) === JSON.stringify(stateVector(reference.doc))),
    "every client's state vector the same",
  );
  for (const c of clients) expect(contents(c.doc), `${c.label}'s copy`).toEqual(contents(reference.doc));

  for (const node of nodes) {
    const fresh = node.clients.provider(user, docName);
    await waitFor(() => fresh.provider.synced, `a fresh client of process ${node.index} synced`);
    expect(stateVector(fresh.doc), `a fresh client of process ${node.index}`).toEqual(stateVector(reference.doc));
    expect(contents(fresh.doc), `a fresh client of process ${node.index}`).toEqual(contents(reference.doc));
    fresh.provider.destroy();
  }
  const stored = await db.document(docName);
  expect(contents(stored), "the stored document").toEqual(contents(reference.doc));

  const index = await db.index(conversationId);
  const times = new Map<string, number>();
  for (const m of index) times.set(m.id, (times.get(m.id) ?? 0) + 1);
  expect(
    [...times].filter(([, n]) => n !== 1),
    "indexed more than once",
  ).toEqual([]);
  const paged = await pagedMessages(nodes[0]?.clients as Clients, user, conversationId);
  expect(paged.map((m) => m.id).sort(), "the HTTP pages").toEqual(index.map((m) => m.id).sort());
  expect(
    byKey(index.map((m) => [m.id, { author: m.author, text: m.text, segment: m.segment }])),
    "the index agrees with the document",
  ).toEqual(contents(reference.doc).map(([id, r]) => [id, { author: r.author, text: r.text, segment: 0 }]));
  expect(
    [...acknowledged].filter((id) => !times.has(id)),
    "acknowledged but lost",
  ).toEqual([]);
  expect(
    contents(reference.doc).filter(([id, r]) => JSON.stringify(written.get(id)) !== JSON.stringify(r)),
    "not as written",
  ).toEqual([]);
}
