/**
 * The cluster with Redis restarted mid-stream (issue 10): three real server processes on one
 * PostgreSQL database and a Redis of the test's own (the machine's Redis is shared: this one
 * can be SIGKILLed and started again on its port without touching anyone else's), users
 * writing through all three while Redis dies three times. Pub/sub keeps nothing: whatever the
 * processes committed while it was away reaches the other processes' sockets only because a
 * relay that reconnects, or sees a gap in a document's sequence, reads the store. The writers
 * stop during the last outage, so after it nothing but the reconnect can bring those writes
 * over. At the end every copy converges and the document and the message index agree.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { conversationDocName, type MessageRecord, messagesMap, SEGMENT_MESSAGES } from "@messenger/shared";
import { beforeAll, describe, expect, it, onTestFailed, onTestFinished } from "vitest";
import { createTestDatabase } from "../src/store/testing.js";
import {
  acknowledgeWhatReaches,
  between,
  buildSoakEntry,
  type ClusterNode,
  connected,
  createClient,
  expectAcknowledgedStored,
  expectConverged,
  moveTo,
  type SoakClient,
  sleep,
  startClusterProcesses,
  startWriting,
  UNTHROTTLED,
} from "./helpers/cluster-soak.js";
import { waitFor } from "./helpers/server.js";
import { openDatabase } from "./helpers/stored.js";

const PROCESSES = 3;
const OUTAGES = 3;
/** How long Redis stays down: at least this, and until every writer wrote a few messages. */
const OUTAGE_MS = [600, 1200] as const;
const WRITES_PER_OUTAGE = 3;
const WRITE_EVERY_MS = [80, 160] as const;
const WRITES_PER_WRITER = Math.floor((0.9 * SEGMENT_MESSAGES) / PROCESSES);

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test's own on one port, killed with SIGKILL and started again there. */
async function startPrivateRedis() {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = c;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      c.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) resolve();
      });
      c.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      c.once("error", reject);
    });
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  onTestFinished(kill);
  return { url: `redis://127.0.0.1:${port}`, start, kill };
}

let entry = "";
beforeAll(async () => {
  const built = await buildSoakEntry();
  entry = built.entry;
  return built.remove;
}, 60_000);

describe("a cluster whose Redis restarts", () => {
  it("brings what was committed while Redis was down to the sockets of every process, and every copy converges", {
    timeout: 120_000,
  }, async () => {
    const redis = await startPrivateRedis();
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const env = {
      ...UNTHROTTLED,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test:${randomBytes(6).toString("hex")}:`,
    };
    const cluster = await startClusterProcesses(PROCESSES, env, entry);
    const nodes = cluster.nodes;
    onTestFailed(() => console.error(cluster.logs()));
    const db = openDatabase(database.url);
    const first = (nodes[0] as ClusterNode).clients;
    const [alice, bob] = [await first.signUp("Alice"), await first.signUp("Bob")];
    const conversationId = (await first.conversation(alice, bob)).id;
    const docName = conversationDocName(conversationId, 0);

    const writers: SoakClient[] = [];
    const readers: SoakClient[] = [];
    for (const node of nodes) {
      const [writer, reader] = node.index % 2 === 0 ? [alice, bob] : [bob, alice];
      writers.push(createClient(`${writer.name} writing on ${node.index}`, writer, node.index));
      readers.push(createClient(`${reader.name} reading on ${node.index}`, reader, node.index));
    }
    const clients = [...writers, ...readers];
    const acknowledged = new Set<string>();
    const written = new Map<string, MessageRecord>();
    acknowledgeWhatReaches(readers, acknowledged);
    for (const c of clients) moveTo(c, nodes[c.home] as ClusterNode, docName);
    await waitFor(() => connected(clients), "every client connected");
    const writing = startWriting(writers, written, { everyMs: WRITE_EVERY_MS, max: WRITES_PER_WRITER });

    try {
      for (let outage = 1; outage <= OUTAGES; outage++) {
        const last = outage === OUTAGES;
        const before = acknowledged.size;
        await waitFor(
          () => connected(clients) && acknowledged.size >= before + PROCESSES,
          `writes flowing before outage ${outage}`,
          20_000,
        );
        await redis.kill();
        const writtenBefore = new Set(written.keys());
        const counts = writers.map((w) => writing.written(w));
        await sleep(between(OUTAGE_MS));
        await waitFor(
          () => writers.every((w, i) => writing.written(w) >= (counts[i] as number) + WRITES_PER_OUTAGE),
          `every writer writing during outage ${outage}`,
        );
        if (last) await writing.stop();
        const during = [...written.keys()].filter((id) => !writtenBefore.has(id));
        const homeOf = (id: string) => writers.findIndex((w) => written.get(id)?.text.startsWith(`${w.label} `));
        // Committed on its writer's process (the reader there has it) while Redis is down.
        await waitFor(
          () => during.every((id) => messagesMap((readers[homeOf(id)] as SoakClient).doc).has(id)),
          `outage ${outage}'s writes committed`,
        );
        await expectAcknowledgedStored(db, conversationId, docName, acknowledged, `during outage ${outage}`);
        if (last) {
          // The outage hid something: nothing is published now, so only the reconnect can bring it.
          const hidden = readers.flatMap((r) => during.filter((id) => !messagesMap(r.doc).has(id)));
          expect(hidden.length, "writes of the last outage that other processes have not seen yet").toBeGreaterThan(0);
        }

        await redis.start();
        await waitFor(
          () => readers.every((r) => during.every((id) => messagesMap(r.doc).has(id))),
          `outage ${outage}'s writes on every process after Redis came back`,
          30_000,
        );
      }
      for (const node of nodes) {
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${node.port}/api/ready`)).status === 200,
          `process ${node.index} ready again`,
        );
        expect(node.process?.child.exitCode, `process ${node.index} still running`).toBeNull();
      }

      await expectConverged({ nodes, clients, db, docName, conversationId, user: bob, acknowledged, written });
    } finally {
      await writing.stop();
    }
  });
});
