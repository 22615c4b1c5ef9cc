/**
 * What only the PostgreSQL store has to get right: several server processes on one
 * database (each a store with its own pool here), and a database it cannot reach.
 * The behaviour both stores share is in ../store.contract.test.ts.
 */
import { SEGMENT_MESSAGES } from "@messenger/shared";
import pg from "pg";
import { describe, expect, onTestFinished, test } from "vitest";
import { StartupError } from "../../startup-error.js";
import { CommitConflict } from "../conflict.js";
import { createTestDatabase } from "../testing.js";
import type { CommitTx, Store } from "../types.js";
import { MIGRATIONS } from "./migrations.js";
import { openPostgresStore } from "./postgres-store.js";

const T0 = 1_700_000_000_000;
const clock = () => T0;

/** `count` stores ("processes") on one new database, opened at once; all closed and dropped after the test. */
async function useProcesses(count: number): Promise<{ url: string; stores: Store[] }> {
  const database = await createTestDatabase();
  const opened = await Promise.allSettled(
    Array.from({ length: count }, () => openPostgresStore({ url: database.url, clock })),
  );
  const stores = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  onTestFinished(async () => {
    for (const s of stores) await s.close();
    await database.drop();
  });
  for (const r of opened) if (r.status === "rejected") throw r.reason;
  return { url: database.url, stores };
}

describe("several processes on one PostgreSQL database", () => {
  test("opening a new database from several processes at once migrates it exactly once", async () => {
    const { url } = await useProcesses(4);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM messenger_migration ORDER BY 1`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await client.end();
    }
  });

  test("two processes opening the same direct conversation at once share one", async () => {
    const { stores } = await useProcesses(2);
    const [a, b] = stores as [Store, Store];
    for (let i = 0; i < 10; i++) {
      const [x, y] = await Promise.all([
        a.conversations.getOrCreateDirect(`u${i}`, "v"),
        b.conversations.getOrCreateDirect("v", `u${i}`),
      ]);
      expect(x.conversation.id).toBe(y.conversation.id);
      expect([x.created, y.created].sort()).toEqual([false, true]);
      expect(x.conversation.memberIds).toEqual([`u${i}`, "v"]);
    }
  });

  test("two processes indexing one conversation at once count every new message", async () => {
    const { stores } = await useProcesses(2);
    const [a, b] = stores as [Store, Store];
    const { id } = (await a.conversations.getOrCreateDirect("alice", "bob")).conversation;
    const half = SEGMENT_MESSAGES / 2;
    const records = (from: number, author: string) =>
      Array.from({ length: half }, (_, i) => ({
        id: `msg-${String(from + i).padStart(6, "0")}`,
        author,
        text: "hi",
        createdAt: T0 + from + i,
      }));
    const results = await Promise.all([
      a.transaction((tx) => tx.indexMessages(id, 0, records(0, "alice"))),
      b.transaction((tx) => tx.indexMessages(id, 0, records(half, "bob"))),
    ]);
    expect(results.map((r) => r?.headMoved).sort()).toEqual([false, true]);
    expect((await a.conversations.get(id))?.headSegment).toBe(1);
  });

  test("a second process committing a sequence number of a document already taken loses with a sequence conflict, and reads what it lacks", async () => {
    const { stores } = await useProcesses(2);
    const [a, b] = stores as [Store, Store];
    const u = (n: number) => new Uint8Array([n]);
    await a.transaction(async (tx) => tx.append("d", 1, u(1)));
    const lost = await b
      .transaction(async (tx) => {
        await tx.append("d", 1, u(2));
        await tx.conversation("none"); // writes what is gathered
      })
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(CommitConflict);
    expect((lost as CommitConflict).kind).toBe("sequence");
    expect((lost as CommitConflict).doc).toBe("d");
    const tail = await b.docs.since("d", 0);
    expect(tail.lastSeq).toBe(1);
    expect(tail.updates).toEqual([u(1)]);
    // After a snapshot folds the log, a copy behind it gets the snapshot and what follows.
    await a.transaction(async (tx) => tx.append("d", 2, u(3)));
    await a.docs.compact("d", u(9), 1);
    expect((await b.docs.since("d", 0)).updates).toEqual([u(9), u(3)]);
    expect((await b.docs.since("d", 1)).updates).toEqual([u(3)]);
    expect((await b.docs.since("d", 2)).updates).toEqual([]);
    // An older snapshot never replaces a newer one.
    await a.docs.compact("d", u(10), 2);
    await b.docs.compact("d", u(8), 1);
    expect((await a.docs.load("d")).updates).toEqual([u(10)]);
  });

  test("two processes claiming one client id for two users: the second commit fails with a client conflict, the same user twice is fine", async () => {
    const { stores } = await useProcesses(2);
    const [a, b] = stores as [Store, Store];
    await Promise.all([
      a.transaction(async (tx) => tx.claimClient("d", 42, "alice")),
      b.transaction(async (tx) => tx.claimClient("d", 42, "alice")),
    ]);
    const results = await Promise.allSettled([
      a.transaction(async (tx) => tx.claimClient("d", 7, "alice")),
      b.transaction(async (tx) => tx.claimClient("d", 7, "bob")),
    ]);
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused).toHaveLength(1);
    const conflict = (refused[0] as PromiseRejectedResult).reason as CommitConflict;
    expect(conflict).toBeInstanceOf(CommitConflict);
    expect(conflict.kind).toBe("client");
    const owner = (await a.docs.load("d")).clients.get(7);
    expect(conflict.userId).toBe(owner === "alice" ? "bob" : "alice");
  });

  test("a message id indexed by one author is refused for another author or another segment with a message conflict", async () => {
    const { stores } = await useProcesses(2);
    const [a, b] = stores as [Store, Store];
    const { conversation } = await a.conversations.getOrCreateDirect("alice", "bob");
    const record = (author: string) => ({ id: "m1", author, text: "hi", createdAt: T0 });
    await a.transaction(async (tx) => tx.indexMessages(conversation.id, 0, [record("alice")]));
    for (const [segment, author] of [
      [0, "bob"],
      [1, "alice"],
    ] as const) {
      const lost = await b
        .transaction(async (tx) => tx.indexMessages(conversation.id, segment, [record(author)]))
        .catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(CommitConflict);
      expect((lost as CommitConflict).kind).toBe("message");
      expect((lost as CommitConflict).userId).toBe(author);
    }
    const stored = await b.conversations.findMessage(conversation.id, "m1");
    expect(stored?.authorId).toBe("alice");
    expect(stored?.segment).toBe(0);
  });

  test("exclusive sections of two processes do not overlap", async () => {
    const { stores } = await useProcesses(2);
    const events: string[] = [];
    const section = (store: Store, name: string) =>
      store.exclusive(async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push(`${name} out`);
      });
    await Promise.all([section(stores[0] as Store, "a"), section(stores[1] as Store, "b")]);
    const first = events[0]?.startsWith("a") ? "a" : "b";
    const second = first === "a" ? "b" : "a";
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
  });
});

describe("the PostgreSQL store on its own", () => {
  test("a transaction's CommitTx refuses use after the transaction ended", async () => {
    const { stores } = await useProcesses(1);
    const store = stores[0] as Store;
    let leaked: CommitTx | null = null;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect((leaked as CommitTx | null)?.append("doc.a", 1, new Uint8Array([1]))).rejects.toThrow(
      "used after its transaction ended",
    );
    expect((await store.docs.load("doc.a")).updates).toEqual([]);
  });

  test("closing waits for queued transactions", async () => {
    const { url, stores } = await useProcesses(1);
    const store = stores[0] as Store;
    const write = store.transaction(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await tx.append("doc.a", 1, new Uint8Array([1]));
    });
    await store.close();
    await write;
    const again = await openPostgresStore({ url, clock });
    try {
      expect((await again.docs.load("doc.a")).lastSeq).toBe(1);
    } finally {
      await again.close();
    }
  });
});

describe("start-up errors", () => {
  test("a server that refuses connections is a start-up error naming DATABASE_URL, without the password", async () => {
    const opening = openPostgresStore({ url: "postgres://app:s3cret@127.0.0.1:1/messenger", clock });
    const error = await opening.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).code).toBe("DATABASE_UNREACHABLE");
    expect((error as StartupError).message).toContain("DATABASE_URL");
    expect((error as StartupError).message).toContain("refuses connections");
    expect((error as StartupError).message).not.toContain("s3cret");
  });

  test("a database that does not exist is a start-up error saying so", async () => {
    const database = await createTestDatabase();
    await database.drop();
    const error = await openPostgresStore({ url: database.url, clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toMatch(/has no such database .*createdb/);
  });
});
