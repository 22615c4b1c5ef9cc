/**
 * The cluster's kill -9 soak (issue 10): three real server processes on one PostgreSQL
 * database and one Redis, users writing through all three, and one process SIGKILLed at a
 * random moment ten times (each in turn), restarted on its own port each time. While it is
 * down its clients reconnect to the next process, as a load balancer would send them, and
 * resend what they wrote meanwhile; the writers never stop.
 *
 * A message is acknowledged once it reaches a reader (on any process): the relay sends only
 * what it committed, and another process only what its bus or the store carried. Right after
 * each kill, before any client of the dead process could resend anything, every acknowledged
 * message must be in the database (index and document); at the end every copy converges, a
 * fresh client of each process and the stored document agree with them, and the message index
 * holds exactly the document's messages, each once.
 */
import { conversationDocName, type MessageRecord, SEGMENT_MESSAGES } from "@messenger/shared";
import { beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { testClusterEnv } from "./helpers/cluster.js";
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
const KILLS = 10;
/** How long the clients write once everyone is connected before the kill: a random moment in this range. */
const WRITE_FOR_MS = [150, 600] as const;
/** Pause between one writer's messages. */
const WRITE_EVERY_MS = [100, 200] as const;
/** At most this many per writer (one per process), so the whole soak stays in one segment. */
const WRITES_PER_WRITER = Math.floor((0.9 * SEGMENT_MESSAGES) / PROCESSES);

let entry = "";
beforeAll(async () => {
  const built = await buildSoakEntry();
  entry = built.entry;
  return built.remove;
}, 60_000);

describe("kill -9 soak of a cluster", () => {
  it("keeps every acknowledged message, exactly once, through ten kills of one of three processes under writing clients", {
    timeout: 120_000,
  }, async () => {
    const clusterEnv = await testClusterEnv();
    const env = { ...UNTHROTTLED, ...clusterEnv };
    const cluster = await startClusterProcesses(PROCESSES, env, entry);
    const nodes = cluster.nodes;
    onTestFailed(() => console.error(cluster.logs()));
    const db = openDatabase(clusterEnv.DATABASE_URL as string);
    const first = (nodes[0] as ClusterNode).clients;
    const [alice, bob] = [await first.signUp("Alice"), await first.signUp("Bob")];
    const conversationId = (await first.conversation(alice, bob)).id;
    const docName = conversationDocName(conversationId, 0);

    // On every process a writer and a reader, alice and bob taking turns.
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
      for (let kill = 1; kill <= KILLS; kill++) {
        const victim = nodes[kill % PROCESSES] as ClusterNode;
        const before = acknowledged.size;
        await waitFor(
          () => connected(clients) && acknowledged.size >= before + PROCESSES,
          `writes flowing before kill ${kill}`,
          20_000,
        );
        await sleep(between(WRITE_FOR_MS));
        await cluster.kill(victim);
        const next = nodes[(victim.index + 1) % PROCESSES] as ClusterNode;
        for (const c of clients) if (c.at === victim.index) moveTo(c, next, docName);
        // Nothing of the dead process's clients has been resent yet (they were mid-reconnect).
        await expectAcknowledgedStored(db, conversationId, docName, acknowledged, `after kill ${kill}`);

        await cluster.restart(victim);
        for (const c of clients) if (c.home === victim.index) moveTo(c, victim, docName);
      }
      await waitFor(() => connected(clients), "every client back on its own process");
      await writing.stop();

      await expectConverged({
        nodes,
        clients,
        db,
        docName,
        conversationId,
        user: bob,
        acknowledged,
        written,
      });
      expect(acknowledged.size).toBeGreaterThan(KILLS * PROCESSES);
    } finally {
      await writing.stop();
    }
  });
});
