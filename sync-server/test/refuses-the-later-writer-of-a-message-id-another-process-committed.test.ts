/**
 * The message-id race across processes in a fixed order, so each outcome comes up every time
 * (races-between-processes-have-one-winner.test.ts meets them by chance). The test holds the
 * conversation's row lock, which a commit takes after appending its updates: alice's commit
 * on process 1 appends and waits; bob's write on process 2 is judged against a copy where the
 * id is new, and its commit waits behind alice's append; then the lock goes. Alice's commit is
 * first, bob's loses its sequence number, catches up (applying alice's update to a copy that
 * holds bob's uncommitted value for the same key) and commits again.
 *
 * Which value a copy shows for a key written concurrently is yjs' tie-break (the higher Yjs
 * client id), not the commit order; so both cases: alice's client id the higher, and bob's.
 */
import { CLOSE_CODES, conversationDocName, messagesMap, newMessageId } from "@messenger/shared";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import * as Y from "yjs";
import { startTestCluster } from "./helpers/cluster.js";
import { updateFrame } from "./helpers/frames.js";
import { type TestUser, waitFor } from "./helpers/server.js";

/** A new message under a Yjs client id of the caller's choosing, as a raw update. */
function messageUpdate(clientId: number, user: TestUser, id: string): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  messagesMap(doc).set(id, { id, author: user.id, text: `${user.name}'s words`, createdAt: Date.now() });
  return Y.encodeStateAsUpdate(doc);
}

/** Sessions of the database waiting for a lock, running a statement that contains `sql`. */
async function waitingOn(db: pg.Client, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND position($1 in query) > 0`,
    [sql],
  );
  return rows[0]?.n ?? 0;
}

async function raceInOrder(aliceClientId: number, bobClientId: number) {
  const [one, two] = await startTestCluster(2);
  if (!one || !two) throw new Error("cluster did not start");
  const alice = await one.signUp("Alice");
  const bob = await one.signUp("Bob");
  const c = await one.conversation(alice, bob);
  const name = conversationDocName(c.id, 0);
  // The other member on each process: honest copies that only read.
  const observers = [
    { label: "bob on process 1", ...one.provider(bob, name) },
    { label: "alice on process 2", ...two.provider(alice, name) },
  ];
  const refusedObservers: string[] = [];
  for (const o of observers)
    o.provider.on("connection-close", (event: CloseEvent | null) => {
      if (event && event.code >= 4400 && event.code < 4500) refusedObservers.push(`${o.label}: ${event.code}`);
    });
  await waitFor(() => observers.every((o) => o.provider.synced), "observers synced");
  const racers = { alice: one.rawSocket(alice, name), bob: two.rawSocket(bob, name) };
  await waitFor(() => racers.alice.received.length > 0 && racers.bob.received.length > 0, "both racers served");

  const db = new pg.Client({ connectionString: one.config.databaseUrl as string });
  await db.connect();
  onTestFinished(() => db.end());
  const lock = new pg.Client({ connectionString: one.config.databaseUrl as string });
  await lock.connect();
  onTestFinished(() => lock.end());
  await lock.query("BEGIN");
  await lock.query("SELECT id FROM conversation WHERE id = $1 FOR UPDATE", [c.id]);

  const id = newMessageId();
  racers.alice.ws.send(updateFrame(messageUpdate(aliceClientId, alice, id)));
  await waitFor(
    // The index's locked read of the conversation (its text is cut to track_activity_query_size: match the start).
    async () => (await waitingOn(db, "SELECT c.id, c.kind,")) >= 1,
    "alice's commit appended, waiting for the row",
  );
  racers.bob.ws.send(updateFrame(messageUpdate(bobClientId, bob, id)));
  await waitFor(
    async () => (await waitingOn(db, "INSERT INTO doc_update")) >= 1,
    "bob's commit waiting behind alice's",
  );
  await lock.query("COMMIT");

  await waitFor(async () => (await one.repo.findMessage(c.id, id)) !== null, "the message indexed");
  await Promise.all([one.relay.settled(), two.relay.settled()]);
  return { one, two, alice, bob, c, id, name, observers, refusedObservers, racers };
}

describe("a message id written on two processes, alice's commit first", () => {
  it("closes bob's socket with 4403 when alice's value also wins yjs' tie-break (her client id is the higher)", async () => {
    const r = await raceInOrder(2_000_000_000, 1_000_000_000);
    expect((await r.one.repo.findMessage(r.c.id, r.id))?.authorId).toBe(r.alice.id);
    await waitFor(
      () => r.observers.every((o) => messagesMap(o.doc).get(r.id)?.author === r.alice.id),
      "every copy shows alice's message",
    );
    // Bob wrote a message under an id alice's committed write had taken: as on one process,
    // his write is refused, rather than stored and silently hidden under hers.
    await waitFor(() => r.racers.bob.closeCode, "bob's socket closed", 5000).catch(() => null);
    expect(r.racers.bob.closeCode).toBe(CLOSE_CODES.WRITE_REJECTED);
    expect(r.racers.alice.closeCode).toBeNull();
  });

  it("sends the other sockets of bob's process only what was committed when bob's value wins the tie-break there", async () => {
    const r = await raceInOrder(1_000_000_000, 2_000_000_000);
    expect((await r.one.repo.findMessage(r.c.id, r.id))?.authorId).toBe(r.alice.id);
    await waitFor(() => r.racers.bob.closeCode, "bob's socket closed");
    expect(r.racers.bob.closeCode).toBe(CLOSE_CODES.WRITE_REJECTED);
    // Alice's copy on process 2 resyncs after the room reloads (1013) and shows her message; it
    // is never refused for sending back a deletion it was sent but nobody committed.
    await waitFor(
      () => r.observers.every((o) => messagesMap(o.doc).get(r.id)?.author === r.alice.id),
      "every copy shows alice's message",
      10_000,
    ).catch(() => undefined);
    expect(r.refusedObservers, "honest copies refused").toEqual([]);
    expect(
      r.observers.map((o) => [o.label, messagesMap(o.doc).get(r.id)?.author === r.alice.id]),
      "copies showing alice's message",
    ).toEqual(r.observers.map((o) => [o.label, true]));
  });
});
