/**
 * Races across processes (issue 10): alice on one process and bob on another write, in the
 * same instant, the same message id, or under the same Yjs client id. Each judges the write
 * against its own copy, where nothing conflicts yet; PostgreSQL decides which commit is first.
 * Exactly one wins: its author is the message's author in every copy and in the index (and
 * the client id's owner in the store), the loser's socket is closed with 4403 and the other
 * sockets of its room resync, and every copy converges. Twenty rounds each, alternating who
 * sends first and whose Yjs client id is the higher (which decides between concurrent values
 * of one key, whatever the commit order), so both orders and both tie-breaks come up.
 */
import { CLOSE_CODES, conversationDocName, type MessageRecord, messagesMap, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startTestCluster } from "./helpers/cluster.js";
import { updateFrame } from "./helpers/frames.js";
import { type TestServer, type TestUser, waitFor } from "./helpers/server.js";
import { type Database, openDatabase } from "./helpers/stored.js";

const ROUNDS = 20;
/** After the race is decided everywhere, how long the loser's close may take to arrive. */
const CLOSE_WAIT_MS = 3000;
/** How long a round may take to be decided everywhere before its outcome is taken as it stands. */
const DECIDED_WAIT_MS = 5000;
const LIFTED = {
  writeBurst: 1000,
  writesPerSecond: 1000,
  upgradesBurst: 1000,
  upgradesPerSecond: 1000,
  syncStep1Burst: 1000,
  syncStep1PerSecond: 1000,
};

/** One new message written under a Yjs client id of the caller's choosing, as a raw update. */
function messageUpdate(clientId: number, record: MessageRecord): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  messagesMap(doc).set(record.id, record);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

const usedClientIds = new Set<number>();
/** A Yjs client id nobody has used in this test. */
function freshClientId(): number {
  for (;;) {
    const id = 1 + Math.floor(Math.random() * 0x7ffffffe);
    if (!usedClientIds.has(id)) {
      usedClientIds.add(id);
      return id;
    }
  }
}

/** Three processes, alice and bob, their conversation, and copies that only read on every process. */
async function setUp() {
  const [one, two, three] = await startTestCluster(3, { relay: { limits: LIFTED } });
  if (!one || !two || !three) throw new Error("cluster did not start");
  const alice = await one.signUp("Alice");
  const bob = await one.signUp("Bob");
  const c = await one.conversation(alice, bob);
  const name = conversationDocName(c.id, 0);
  // The other user on each racing process (when the racer there loses, its room reloads and
  // these resync after a 1013), and both users on the third.
  const observers = [
    { label: "bob on process 1", ...one.provider(bob, name) },
    { label: "alice on process 2", ...two.provider(alice, name) },
    { label: "alice on process 3", ...three.provider(alice, name) },
    { label: "bob on process 3", ...three.provider(bob, name) },
  ];
  for (const o of observers) usedClientIds.add(o.doc.clientID);
  await waitFor(() => observers.every((o) => o.provider.synced), "observers synced");
  const db = openDatabase(one.config.databaseUrl as string);
  return { servers: [one, two, three], one, two, three, alice, bob, c, name, observers, db };
}
type Race = Awaited<ReturnType<typeof setUp>>;

/** Opens alice's socket on process 1 and bob's on process 2, then sends both updates in one tick. */
async function sendAtOnce(race: Race, round: number, updates: { alice: Uint8Array; bob: Uint8Array }) {
  const sockets = { alice: race.one.rawSocket(race.alice, race.name), bob: race.two.rawSocket(race.bob, race.name) };
  // Served (its room loaded) once the server's sync step 1 arrived.
  await waitFor(() => sockets.alice.received.length > 0 && sockets.bob.received.length > 0, "both racers served");
  const order = round % 2 === 0 ? (["alice", "bob"] as const) : (["bob", "alice"] as const);
  for (const who of order) sockets[who].ws.send(updateFrame(updates[who]));
  return sockets;
}

/** Who won, as the index, the copies (and the store's client-id owner) say, and how the racers' sockets ended. */
interface Outcome {
  round: number;
  higherClientId?: "alice" | "bob";
  sentFirst: "alice" | "bob";
  /** "alice", "bob", "none" (or "both"); `copies` lists each observer's view when they disagree. */
  indexAuthor: string;
  copies: string;
  owner?: string;
  aliceClose: number | null;
  bobClose: number | null;
}

/** "alice" or "bob" for their user ids, "none" otherwise. */
const namer = (alice: TestUser, bob: TestUser) => (userId: string | undefined) =>
  userId === alice.id ? "alice" : userId === bob.id ? "bob" : "none";

/** Waits for the loser's socket to close (it may not: then the outcome says so). */
async function closes(sockets: Awaited<ReturnType<typeof sendAtOnce>>) {
  await waitFor(
    () => sockets.alice.closeCode !== null || sockets.bob.closeCode !== null,
    "a racer's socket closed",
    CLOSE_WAIT_MS,
  ).catch(() => undefined);
  const result = { aliceClose: sockets.alice.closeCode, bobClose: sockets.bob.closeCode };
  sockets.alice.ws.terminate();
  sockets.bob.ws.terminate();
  return result;
}

/** Anything but one winner everywhere, the loser refused with 4403 and the winner's socket still open. */
function wrong(o: Outcome): boolean {
  const winner = o.indexAuthor;
  if (winner !== "alice" && winner !== "bob") return true;
  if (o.copies !== winner || (o.owner !== undefined && o.owner !== winner)) return true;
  const [winnerClose, loserClose] = winner === "alice" ? [o.aliceClose, o.bobClose] : [o.bobClose, o.aliceClose];
  return winnerClose !== null || loserClose !== CLOSE_CODES.WRITE_REJECTED;
}

const byId = <T>(a: [string, ...T[]], b: [string, ...T[]]) => (a[0] < b[0] ? -1 : 1);
const contents = (doc: Y.Doc) => JSON.stringify([...messagesMap(doc).entries()].sort(byId));

/** Every copy, a fresh client of every process and the stored document hold the same; the index agrees. */
async function expectConverged(race: Race, db: Database) {
  const { servers, observers, alice, name, c } = race;
  await Promise.all(servers.map((s) => s.relay.settled()));
  const reference = observers[0]?.doc as Y.Doc;
  await waitFor(
    () => observers.every((o) => o.provider.synced && contents(o.doc) === contents(reference)),
    "every observer's copy the same",
  );
  for (const [i, server] of servers.entries()) {
    const fresh = (server as TestServer).provider(alice, name);
    await waitFor(() => fresh.provider.synced, `a fresh client of process ${i + 1} synced`);
    expect(contents(fresh.doc), `a fresh client of process ${i + 1}`).toBe(contents(reference));
  }
  expect(contents(await db.document(name)), "the stored document").toBe(contents(reference));
  const index = (await db.index(c.id)).map((m): [string, string, string] => [m.id, m.author, m.text]).sort(byId);
  const inDocument = [...messagesMap(reference).values()]
    .map((m): [string, string, string] => [m.id, m.author, m.text])
    .sort(byId);
  expect(index, "the index agrees with the document").toEqual(inDocument);
}

describe("races between processes", () => {
  it("one message id written by two users on two processes at once: one wins everywhere, the other is refused with 4403", {
    timeout: 60_000,
  }, async () => {
    const race = await setUp();
    const { alice, bob, observers, c, one } = race;
    const nameOf = namer(alice, bob);
    const outcomes: Outcome[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const id = newMessageId();
      const [low, high] = [freshClientId(), freshClientId()].sort((a, b) => a - b) as [number, number];
      const aliceHigher = Math.floor(round / 2) % 2 === 0;
      const record = (user: TestUser) => ({
        id,
        author: user.id,
        text: `${user.name} ${round}`,
        createdAt: Date.now(),
      });
      const sockets = await sendAtOnce(race, round, {
        alice: messageUpdate(aliceHigher ? high : low, record(alice)),
        bob: messageUpdate(aliceHigher ? low : high, record(bob)),
      });
      // Decided: the index holds the id and every copy shows one author (or, after a while, whatever they show).
      const copiesOf = () => observers.map((o) => nameOf(messagesMap(o.doc).get(id)?.author));
      await waitFor(
        async () => {
          const seen = copiesOf();
          return (await one.repo.findMessage(c.id, id)) !== null && seen.every((a) => a !== "none" && a === seen[0]);
        },
        `round ${round}: decided`,
        DECIDED_WAIT_MS,
      ).catch(() => undefined);
      const indexed = await one.repo.findMessage(c.id, id);
      const seen = copiesOf();
      outcomes.push({
        round,
        higherClientId: aliceHigher ? "alice" : "bob",
        sentFirst: round % 2 === 0 ? "alice" : "bob",
        indexAuthor: nameOf(indexed?.authorId),
        copies: seen.every((a) => a === seen[0]) ? (seen[0] as string) : seen.join(" "),
        ...(await closes(sockets)),
      });
      // A wrong round fails the test: stop there rather than wait on copies it may have left behind.
      if (wrong(outcomes.at(-1) as Outcome)) break;
    }
    expect(outcomes.filter(wrong), "rounds without exactly one winner and the loser refused").toEqual([]);
    expect(new Set(outcomes.map((o) => o.indexAuthor)), "both users won a round: both commit orders came up").toEqual(
      new Set(["alice", "bob"]),
    );
    await expectConverged(race, race.db);
  });

  it("one Yjs client id claimed by two users on two processes at once: one owns it everywhere, the other is refused with 4403", {
    timeout: 60_000,
  }, async () => {
    const race = await setUp();
    const { alice, bob, observers, c, one, name, db } = race;
    const nameOf = namer(alice, bob);
    const outcomes: Outcome[] = [];
    const losers: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const clientId = freshClientId();
      const ids = { alice: newMessageId(), bob: newMessageId() };
      const record = (user: TestUser, id: string) => ({
        id,
        author: user.id,
        text: `${user.name} ${round}`,
        createdAt: Date.now(),
      });
      const sockets = await sendAtOnce(race, round, {
        alice: messageUpdate(clientId, record(alice, ids.alice)),
        bob: messageUpdate(clientId, record(bob, ids.bob)),
      });
      // Decided: one of the two is indexed and every copy shows it (or, after a while, whatever they show).
      const winnerOf = async () => {
        const [a, b] = await Promise.all([one.repo.findMessage(c.id, ids.alice), one.repo.findMessage(c.id, ids.bob)]);
        return a && b ? "both" : a ? nameOf(a.authorId) : b ? nameOf(b.authorId) : "none";
      };
      const copiesOf = () =>
        observers.map((o) => {
          const [a, b] = [messagesMap(o.doc).has(ids.alice), messagesMap(o.doc).has(ids.bob)];
          return a && b ? "both" : a ? "alice" : b ? "bob" : "none";
        });
      await waitFor(
        async () => {
          const winner = await winnerOf();
          return winner !== "none" && copiesOf().every((seen) => seen === winner);
        },
        `round ${round}: decided`,
        DECIDED_WAIT_MS,
      ).catch(() => undefined);
      const winner = await winnerOf();
      const seen = copiesOf();
      losers.push(winner === "alice" ? ids.bob : ids.alice);
      outcomes.push({
        round,
        sentFirst: round % 2 === 0 ? "alice" : "bob",
        indexAuthor: winner,
        copies: seen.every((v) => v === seen[0]) ? (seen[0] as string) : seen.join(" "),
        owner: nameOf((await db.owners(name)).get(clientId)),
        ...(await closes(sockets)),
      });
      if (wrong(outcomes.at(-1) as Outcome)) break;
    }
    expect(outcomes.filter(wrong), "rounds without exactly one winner and the loser refused").toEqual([]);
    await expectConverged(race, db);
    // The losers' messages are nowhere.
    const everywhere = [...observers.map((o) => o.doc), await db.document(name)];
    const indexed = new Set((await db.index(c.id)).map((m) => m.id));
    expect(losers.filter((id) => indexed.has(id) || everywhere.some((d) => messagesMap(d).has(id)))).toEqual([]);
  });
});
