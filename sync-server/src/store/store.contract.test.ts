/**
 * The Store contract, run against both implementations: what the relay, the routes and
 * better-auth may rely on whichever database holds the data. Each test gets its own
 * database (a temporary directory, or a fresh PostgreSQL database) and removes it after.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  conversationDocName,
  type MessageRecord,
  PREVIEW_LENGTH,
  type ReactionEmoji,
  SEGMENT_MESSAGES,
} from "@messenger/shared";
import { type BetterAuthOptions, betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { bearer, username } from "better-auth/plugins";
import { describe, expect, onTestFinished, test } from "vitest";
import { CommitConflict } from "./conflict.js";
import { openPostgresStore } from "./postgres/postgres-store.js";
import { rawSql } from "./raw-sql.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import { createTestDatabase } from "./testing.js";
import type { Store, StoreKind } from "./types.js";

const T0 = 1_700_000_000_000;
const bytes = (...values: number[]) => new Uint8Array(values);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a store lives for one test; `open` may be called again to reopen the same data. */
async function storePlace(kind: StoreKind, clock: () => number) {
  if (kind === "sqlite") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "messenger-store-"));
    return {
      open: () => openSqliteStore({ dataDir, databasePath: path.join(dataDir, "messenger.sqlite"), clock }),
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const database = await createTestDatabase();
  return { open: () => openPostgresStore({ url: database.url, clock }), remove: database.drop };
}

/** A store on an empty database, closed and removed when the test finishes. */
async function useStore(kind: StoreKind) {
  let now = T0;
  const clock = () => now;
  const place = await storePlace(kind, clock);
  const open = new Set<Store>();
  onTestFinished(async () => {
    for (const s of open) await s.close();
    await place.remove();
  });
  const openStore = async () => {
    const s = await place.open();
    open.add(s);
    return s;
  };
  return {
    store: await openStore(),
    reopen: openStore,
    async close(s: Store) {
      open.delete(s);
      await s.close();
    },
    setNow(ms: number) {
      now = ms;
    },
  };
}

/** better-auth on the store's database with the server's plugins, its tables migrated. */
async function useAuth(store: Store) {
  const auth = betterAuth({
    // reason: authDatabase is whatever better-auth accepts for this kind (a Database or a Pool).
    database: store.authDatabase as BetterAuthOptions["database"],
    secret: "a-contract-test-secret-of-enough-length",
    baseURL: "http://localhost:3000",
    // Plain passwords: hashing is not under test and scrypt is slow.
    emailAndPassword: {
      enabled: true,
      autoSignIn: false,
      password: { hash: async (p) => p, verify: async ({ hash, password }) => hash === password },
    },
    plugins: [username(), bearer()],
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const signUp = async (name: string, handle: string) => {
    const { user } = await auth.api.signUpEmail({
      body: { email: `${handle}@example.com`, password: "password-123", name, username: handle },
    });
    return user.id;
  };
  const signIn = (handle: string) =>
    auth.api.signInEmail({ body: { email: `${handle}@example.com`, password: "password-123" } });
  return { signUp, signIn };
}

const record = (i: number, author: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id: `msg-${String(i).padStart(6, "0")}`,
  author,
  text: `message ${i}`,
  createdAt: T0 + i,
  ...extra,
});

describe.each<StoreKind>(["sqlite", "postgres"])("the %s store", (kind) => {
  describe("documents", () => {
    test("loads a document never written as empty", async () => {
      const { store } = await useStore(kind);
      expect(await store.docs.load("conversation.none.0")).toEqual({
        updates: [],
        lastSeq: 0,
        logLength: 0,
        clients: new Map(),
      });
    });

    test("loads appended updates in sequence order, numbered per document", async () => {
      const { store } = await useStore(kind);
      await store.transaction(async (tx) => {
        await tx.append("doc.a", 2, bytes(2));
        await tx.append("doc.a", 1, bytes(1));
        await tx.append("doc.b", 1, bytes(9));
      });
      await store.transaction((tx) => tx.append("doc.a", 3, bytes(3, 3)));
      const a = await store.docs.load("doc.a");
      expect(a.updates).toEqual([bytes(1), bytes(2), bytes(3, 3)]);
      expect(a.lastSeq).toBe(3);
      expect(a.logLength).toBe(3);
      const b = await store.docs.load("doc.b");
      expect(b.updates).toEqual([bytes(9)]);
      expect(b.lastSeq).toBe(1);
    });

    test("a duplicate sequence number fails the whole transaction and stores none of it", async () => {
      const { store } = await useStore(kind);
      await store.transaction((tx) => tx.append("doc.a", 1, bytes(1)));
      const failed = store.transaction(async (tx) => {
        await tx.append("doc.a", 2, bytes(2));
        await tx.claimClient("doc.a", 42, "mallory");
        await tx.append("doc.a", 1, bytes(6, 6, 6));
      });
      await expect(failed).rejects.toThrow();
      const after = await store.docs.load("doc.a");
      expect(after).toEqual({ updates: [bytes(1)], lastSeq: 1, logLength: 1, clients: new Map() });
      // The store is still usable afterwards.
      await store.transaction((tx) => tx.append("doc.a", 2, bytes(2)));
      expect((await store.docs.load("doc.a")).lastSeq).toBe(2);
    });

    test("compaction folds the log through a sequence number and keeps later updates", async () => {
      const { store } = await useStore(kind);
      await store.transaction(async (tx) => {
        for (let seq = 1; seq <= 4; seq++) await tx.append("doc.a", seq, bytes(seq));
      });
      await store.docs.compact("doc.a", bytes(1, 2), 2);
      expect(await store.docs.load("doc.a")).toMatchObject({
        updates: [bytes(1, 2), bytes(3), bytes(4)],
        lastSeq: 4,
        logLength: 2,
      });
      await store.docs.compact("doc.a", bytes(1, 2, 3, 4), 4);
      expect(await store.docs.load("doc.a")).toMatchObject({ updates: [bytes(1, 2, 3, 4)], lastSeq: 4, logLength: 0 });
      await store.transaction((tx) => tx.append("doc.a", 5, bytes(5)));
      expect(await store.docs.load("doc.a")).toMatchObject({
        updates: [bytes(1, 2, 3, 4), bytes(5)],
        lastSeq: 5,
        logLength: 1,
      });
    });

    test("what a copy lacks after a sequence number is the later log, or the snapshot that folds past it and the log after; an older snapshot never replaces a newer one", async () => {
      const { store } = await useStore(kind);
      await store.transaction(async (tx) => {
        for (let seq = 1; seq <= 3; seq++) await tx.append("doc.a", seq, bytes(seq));
        await tx.claimClient("doc.a", 5, "u1");
      });
      expect(await store.docs.since("doc.a", 1)).toEqual({
        updates: [bytes(2), bytes(3)],
        lastSeq: 3,
        clients: new Map([[5, "u1"]]),
      });
      expect((await store.docs.since("doc.a", 3)).updates).toEqual([]);
      expect((await store.docs.since("doc.a", 3)).lastSeq).toBe(3);
      await store.docs.compact("doc.a", bytes(1, 2), 2);
      expect((await store.docs.since("doc.a", 1)).updates).toEqual([bytes(1, 2), bytes(3)]);
      expect((await store.docs.since("doc.a", 2)).updates).toEqual([bytes(3)]);
      await store.docs.compact("doc.a", bytes(1), 1);
      expect((await store.docs.load("doc.a")).updates).toEqual([bytes(1, 2), bytes(3)]);
      expect((await store.docs.since("doc.missing", 0)).lastSeq).toBe(0);
    });

    test("a client id keeps its first owner, across the whole unsigned 32-bit range; another user's claim fails the commit", async () => {
      const { store } = await useStore(kind);
      const biggest = 2 ** 32 - 1;
      await store.transaction(async (tx) => {
        await tx.claimClient("doc.a", 7, "alice");
        await tx.claimClient("doc.a", biggest, "bob");
      });
      await store.transaction(async (tx) => {
        await tx.claimClient("doc.a", 7, "alice"); // the same owner again is fine
        await tx.claimClient("doc.b", 7, "carol");
      });
      const refused = await store
        .transaction(async (tx) => {
          await tx.claimClient("doc.c", 1, "carol");
          await tx.claimClient("doc.a", 7, "bob");
          await tx.conversation("none"); // the PostgreSQL store writes what it gathered here
        })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CommitConflict);
      expect(refused).toMatchObject({ kind: "client", doc: "doc.a", userId: "bob" });
      expect((await store.docs.load("doc.a")).clients).toEqual(
        new Map([
          [7, "alice"],
          [biggest, "bob"],
        ]),
      );
      expect((await store.docs.load("doc.b")).clients).toEqual(new Map([[7, "carol"]]));
      // Nothing of the refused commit stays.
      expect((await store.docs.load("doc.c")).clients).toEqual(new Map());
    });
  });

  describe("conversations", () => {
    test("opening a direct conversation twice at once yields one conversation", async () => {
      const { store } = await useStore(kind);
      const [first, second] = await Promise.all([
        store.conversations.getOrCreateDirect("user-b", "user-a"),
        store.conversations.getOrCreateDirect("user-a", "user-b"),
      ]);
      expect(first.conversation.id).toBe(second.conversation.id);
      expect([first.created, second.created].sort()).toEqual([false, true]);
      const { conversation } = first;
      expect(conversation).toEqual({
        id: conversation.id,
        kind: "direct",
        name: null,
        adminIds: [],
        receipts: [
          { userId: "user-a", delivered: null, read: null },
          { userId: "user-b", delivered: null, read: null },
        ],
        memberIds: ["user-a", "user-b"],
        headSegment: 0,
        documents: [conversationDocName(conversation.id, 0)],
        lastMessage: null,
        lastActivityAt: T0,
        createdAt: T0,
      });
      expect(await store.conversations.get(conversation.id)).toEqual(conversation);
      expect(await store.conversations.memberIds(conversation.id)).toEqual(["user-a", "user-b"]);
      expect(await store.conversations.isMember(conversation.id, "user-a")).toBe(true);
      expect(await store.conversations.isMember(conversation.id, "user-c")).toBe(false);
      expect(await store.conversations.headForMember(conversation.id, "user-b")).toBe(0);
      expect(await store.conversations.headForMember(conversation.id, "user-c")).toBeNull();
      expect(await store.conversations.headForMember("no-such-id", "user-a")).toBeNull();
      expect(await store.conversations.get("no-such-id")).toBeNull();
    });

    test("lists a user's conversations by latest activity", async () => {
      const t = await useStore(kind);
      const { store } = t;
      const older = (await store.conversations.getOrCreateDirect("me", "ann")).conversation;
      t.setNow(T0 + 10);
      const newer = (await store.conversations.getOrCreateDirect("me", "ben")).conversation;
      await store.conversations.getOrCreateDirect("ann", "ben");
      expect((await store.conversations.listForUser("me")).map((c) => c.id)).toEqual([newer.id, older.id]);
      await store.transaction((tx) => tx.indexMessages(older.id, 0, [record(100, "me")]));
      expect((await store.conversations.listForUser("me")).map((c) => c.id)).toEqual([older.id, newer.id]);
      expect(await store.conversations.listForUser("nobody")).toEqual([]);
    });

    test("indexes messages, pages them oldest first and rolls the head at SEGMENT_MESSAGES", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
      const first = Array.from({ length: SEGMENT_MESSAGES - 1 }, (_, i) => record(i, i % 2 ? "bob" : "alice"));
      const almost = await store.transaction((tx) => tx.indexMessages(id, 0, first));
      expect(almost?.headMoved).toBe(false);
      expect(almost?.summary.lastMessage).toMatchObject({ id: record(998, "").id, authorId: "alice" });
      expect(almost?.summary.lastActivityAt).toBe(T0 + 998);
      // Indexing a known id again (an edit) does not count towards the segment.
      const edited = await store.transaction((tx) =>
        tx.indexMessages(id, 0, [record(5, "bob", { text: "edited", editedAt: T0 + 5000 })]),
      );
      expect(edited?.headMoved).toBe(false);
      const rolled = await store.transaction((tx) => tx.indexMessages(id, 0, [record(999, "bob")]));
      expect(rolled?.headMoved).toBe(true);
      expect(rolled?.summary.headSegment).toBe(1);
      expect(await store.conversations.headForMember(id, rolled?.summary.memberIds[0] as string)).toBe(1);
      expect(rolled?.summary.documents).toEqual([conversationDocName(id, 1), conversationDocName(id, 0)]);
      expect(await store.transaction((tx) => tx.conversation(id))).toEqual(rolled?.summary);

      const newest = await store.conversations.messagesPage(id, undefined, 50);
      expect(newest?.hasMore).toBe(true);
      expect(newest?.messages.map((m) => m.createdAt)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + 950 + i));
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.conversations.messagesPage(id, before === undefined ? undefined : { before }, 128);
        if (!page) throw new Error("a page anchored on an indexed message came back null");
        seen.unshift(...page.messages.map((m) => m.id));
        if (!page.hasMore) break;
        before = page.messages[0]?.id;
      }
      expect(seen).toEqual(Array.from({ length: SEGMENT_MESSAGES }, (_, i) => record(i, "").id));
      expect(await store.conversations.findMessage(id, record(5, "").id)).toEqual({
        id: record(5, "").id,
        conversationId: id,
        authorId: "bob",
        text: "edited",
        createdAt: T0 + 5,
        editedAt: T0 + 5000,
        deletedAt: null,
        segment: 0,
        replyTo: null,
        reactions: [],
      });
      // A reply keeps what it answers, whatever a later revision of the record says.
      const reply = { ...record(SEGMENT_MESSAGES + 1, "alice"), replyTo: record(5, "").id };
      await store.transaction((tx) => tx.indexMessages(id, 1, [reply]));
      await store.transaction((tx) => tx.indexMessages(id, 1, [{ ...reply, replyTo: undefined, text: "again" }]));
      expect(await store.conversations.findMessage(id, reply.id)).toMatchObject({
        replyTo: record(5, "").id,
        text: "again",
      });
      expect(await store.conversations.messagesPage(id, { before: "msg-unknown" }, 10)).toBeNull();
      expect(await store.transaction((tx) => tx.indexMessages("no-such-id", 0, [record(1, "bob")]))).toBeNull();
    });

    test("pages messages of the same time by id, byte by byte", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
      const ids = ["msg_0001", "msg-0002", "msgA0003", "msga0004", "msg00005"];
      await store.transaction((tx) =>
        tx.indexMessages(
          id,
          0,
          ids.map((mid) => ({ id: mid, author: "alice", text: mid, createdAt: T0 })),
        ),
      );
      const order: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.conversations.messagesPage(id, before === undefined ? undefined : { before }, 2);
        if (!page) throw new Error("a page anchored on an indexed message came back null");
        order.unshift(...page.messages.map((m) => m.id));
        if (!page.hasMore) break;
        before = page.messages[0]?.id;
      }
      expect(order).toEqual(["msg-0002", "msg00005", "msgA0003", "msg_0001", "msga0004"]);
    });

    test("counts what others wrote after each member's read mark, moves an author's marks to their own message, and never moves a mark back", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
      const unread = async (user: string) => (await store.conversations.readsForUser(user)).get(id)?.unread;
      // One commit: alice writes, then bob answers after her. Alice has one unread, bob none.
      await store.transaction((tx) => tx.indexMessages(id, 0, [record(1, "alice"), record(2, "bob")]));
      expect(await unread("alice")).toBe(1);
      expect(await unread("bob")).toBe(0);
      // System lines and deleted messages never count.
      await store.transaction((tx) =>
        tx.indexMessages(id, 0, [
          record(3, "bob", { deletedAt: T0 + 3, text: "" }),
          record(4, "@system", { system: { type: "left", actor: "carol" } }),
          record(5, "bob"),
        ]),
      );
      expect(await unread("alice")).toBe(2);
      const read = await store.conversations.markRead(id, "alice", record(2, "").id);
      expect(read).toMatchObject({ unread: 1, read: { at: T0 + 2, id: record(2, "").id } });
      expect(read?.delivered).toEqual(read?.read);
      // An older mark changes nothing: newest wins.
      expect((await store.conversations.markRead(id, "alice", record(1, "").id))?.read?.id).toBe(record(2, "").id);
      expect((await store.conversations.markDelivered(id, "bob", record(1, "").id))?.delivered?.id).toBe(
        record(5, "").id,
      );
      expect(await store.conversations.markRead(id, "carol", record(1, "").id)).toBeNull();
      expect(await store.conversations.markRead(id, "alice", "msg-unknown")).toBeNull();
      // Read receipts off: the summary hides alice's read mark, not her delivery.
      await store.settings.setReadReceipts("alice", false);
      const receipts = (await store.conversations.get(id))?.receipts;
      expect(receipts?.find((r) => r.userId === "alice")).toEqual({
        userId: "alice",
        read: null,
        delivered: { at: T0 + 2, id: record(2, "").id },
      });
      expect(await store.settings.readReceipts("alice")).toBe(false);
    });

    test("a message indexed again keeps its first segment, author and time", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
      await store.transaction((tx) =>
        tx.indexMessages(id, 0, [
          record(1, "alice", { text: "first" }),
          record(1, "bob", { text: "second", createdAt: T0 + 50 }),
          record(2, "bob"),
        ]),
      );
      // Indexed again in another commit, by another author or in another segment: refused.
      for (const [segment, author] of [
        [1, "bob"],
        [0, "alice"],
      ] as const) {
        const refused = await store
          .transaction((tx) => tx.indexMessages(id, segment, [record(2, author, { createdAt: T0 + 60 })]))
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(CommitConflict);
        expect(refused).toMatchObject({ kind: "message", userId: author });
      }
      expect(await store.conversations.findMessage(id, record(1, "").id)).toMatchObject({
        authorId: "alice",
        text: "second",
        createdAt: T0 + 1,
        segment: 0,
      });
      const where = await store.conversations.segmentsOf(id, [record(1, "").id, record(2, "").id, "msg-unknown"]);
      expect(where).toEqual(
        new Map([
          [record(1, "").id, { segment: 0, authorId: "alice" }],
          [record(2, "").id, { segment: 0, authorId: "bob" }],
        ]),
      );
      expect(await store.conversations.segmentsOf(id, [])).toEqual(new Map());
    });

    test("the preview is the newest message, cut to PREVIEW_LENGTH, and empty once deleted", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("alice", "bob")).conversation;
      const long = "x".repeat(PREVIEW_LENGTH + 60);
      const indexed = await store.transaction((tx) =>
        tx.indexMessages(id, 0, [record(9, "bob", { text: long }), record(3, "alice")]),
      );
      expect(indexed?.summary.lastMessage).toEqual({
        id: record(9, "").id,
        authorId: "bob",
        text: long.slice(0, PREVIEW_LENGTH),
        createdAt: T0 + 9,
        deleted: false,
      });
      const deleted = await store.transaction((tx) =>
        tx.indexMessages(id, 0, [record(9, "bob", { text: "", deletedAt: T0 + 100 })]),
      );
      expect(deleted?.summary.lastMessage).toEqual({
        id: record(9, "").id,
        authorId: "bob",
        text: "",
        createdAt: T0 + 9,
        deleted: true,
      });
      expect(deleted?.summary.lastActivityAt).toBe(T0 + 9);
    });
  });

  describe("search and pages", () => {
    const said = (i: number, author: string, text: string, extra: Partial<MessageRecord> = {}) =>
      record(i, author, { text, ...extra });
    const ids = (messages: Array<{ id: string }> | undefined) => messages?.map((m) => m.id);

    test("finds the user's messages by folded prefixes of every token, newest first, a page at a time", async () => {
      const { store } = await useStore(kind);
      const mine = (await store.conversations.getOrCreateDirect("ann", "ben")).conversation.id;
      const theirs = (await store.conversations.getOrCreateDirect("ben", "cat")).conversation.id;
      await store.transaction(async (tx) => {
        await tx.indexMessages(mine, 0, [
          said(1, "ann", "Meeting at the Café"),
          said(2, "ben", "CAFÉ MEETING moved"),
          said(3, "ben", "cafeteria"),
          said(4, "ann", "nothing here"),
        ]);
        await tx.indexMessages(theirs, 0, [said(5, "cat", "meeting at the cafe")]);
      });
      const search = (userId: string, q: string[], limit = 10) => store.conversations.search(userId, q, null, limit);
      expect(ids((await search("ann", ["cafe", "mee"])).messages)).toEqual([record(2, "").id, record(1, "").id]);
      expect(ids((await search("cat", ["cafe", "mee"])).messages)).toEqual([record(5, "").id]);
      expect((await search("ben", ["caf"])).messages.map((m) => m.conversationId)).toEqual([theirs, mine, mine, mine]);
      expect(await search("dan", ["cafe"])).toEqual({ messages: [], hasMore: false });
      expect(await search("ann", [])).toEqual({ messages: [], hasMore: false });
      // Anything but letters and digits never reaches the query.
      expect(await search("ann", ['"', "*", "' OR 1=1"])).toEqual({ messages: [], hasMore: false });

      const first = await search("ben", ["caf"], 3);
      expect(first.hasMore).toBe(true);
      const last = first.messages.at(-1) as { createdAt: number; id: string; conversationId: string };
      const rest = await store.conversations.search("ben", ["caf"], last, 3);
      expect(rest.hasMore).toBe(false);
      expect(ids([...first.messages, ...rest.messages])).toEqual([5, 3, 2, 1].map((i) => record(i, "").id));
    });

    test("keeps the index in step: edits by their new words, never deleted messages, system lines or a left group", async () => {
      const { store } = await useStore(kind);
      const group = await store.groups.create("ann", "Trip", ["ben", "cat"]);
      await store.transaction((tx) =>
        tx.indexMessages(group.id, 0, [
          said(1, "ann", "original wording"),
          said(2, "ben", "soon deleted wording"),
          said(3, "@system", "ann renamed the group wording"),
        ]),
      );
      await store.transaction((tx) =>
        tx.indexMessages(group.id, 0, [
          said(1, "ann", "revised text", { editedAt: T0 + 50 }),
          said(2, "ben", "", { deletedAt: T0 + 60 }),
        ]),
      );
      const found = async (userId: string, q: string) =>
        ids((await store.conversations.search(userId, [q], null, 10)).messages);
      expect(await found("cat", "revised")).toEqual([record(1, "").id]);
      expect(await found("cat", "original")).toEqual([]);
      expect(await found("cat", "wording")).toEqual([]);
      expect(await found("cat", "renamed")).toEqual([]);
      await store.groups.removeMember(group.id, "cat");
      expect(await found("cat", "revised")).toEqual([]);
      expect(await found("ben", "revised")).toEqual([record(1, "").id]);
    });

    test("the search migration indexes messages that were there before it", async () => {
      const t = await useStore(kind);
      const id = (await t.store.conversations.getOrCreateDirect("ann", "ben")).conversation.id;
      await t.store.transaction((tx) =>
        tx.indexMessages(id, 0, [said(1, "ann", "Crème brûlée"), said(2, "ben", "crème", { deletedAt: T0 })]),
      );
      // Back to the schema before the migration, with the messages still in the index.
      const undo =
        kind === "sqlite"
          ? [
              "DROP TABLE message_reaction",
              "DROP TABLE message_search",
              "ALTER TABLE message DROP COLUMN reply_to",
              "ALTER TABLE conversation_member DROP COLUMN muted",
              "PRAGMA user_version = 3",
            ]
          : [
              "DROP TABLE message_reaction",
              "DROP INDEX message_search",
              "ALTER TABLE message DROP COLUMN search",
              "ALTER TABLE message DROP COLUMN reply_to",
              "ALTER TABLE conversation_member DROP COLUMN muted",
              "DELETE FROM messenger_migration WHERE version >= 3",
            ];
      for (const sql of undo) await rawSql(t.store, sql);
      await t.close(t.store);
      const store = await t.reopen();
      expect(ids((await store.conversations.search("ben", ["creme", "brul"], null, 10)).messages)).toEqual([
        record(1, "").id,
      ]);
      expect((await store.conversations.findMessage(id, record(1, "").id))?.text).toBe("Crème brûlée");
    });

    test("pages after and around a message, saying whether older and newer ones exist", async () => {
      const { store } = await useStore(kind);
      const { id } = (await store.conversations.getOrCreateDirect("ann", "ben")).conversation;
      await store.transaction((tx) =>
        tx.indexMessages(
          id,
          0,
          Array.from({ length: 10 }, (_, i) => record(i, "ann")),
        ),
      );
      const page = async (at: Parameters<typeof store.conversations.messagesPage>[1], limit: number) => {
        const p = await store.conversations.messagesPage(id, at, limit);
        return p && { at: p.messages.map((m) => m.createdAt - T0), hasMore: p.hasMore, hasNewer: p.hasNewer };
      };
      const m = (i: number) => record(i, "").id;
      expect(await page(undefined, 3)).toEqual({ at: [7, 8, 9], hasMore: true, hasNewer: false });
      expect(await page({ before: m(7) }, 3)).toEqual({ at: [4, 5, 6], hasMore: true, hasNewer: true });
      expect(await page({ after: m(2) }, 3)).toEqual({ at: [3, 4, 5], hasMore: true, hasNewer: true });
      expect(await page({ after: m(6) }, 3)).toEqual({ at: [7, 8, 9], hasMore: true, hasNewer: false });
      expect(await page({ after: m(9) }, 3)).toEqual({ at: [], hasMore: true, hasNewer: false });
      expect(await page({ around: m(5) }, 5)).toEqual({ at: [3, 4, 5, 6, 7], hasMore: true, hasNewer: true });
      expect(await page({ around: m(1) }, 6)).toEqual({ at: [0, 1, 2, 3], hasMore: false, hasNewer: true });
      expect(await page({ around: m(8) }, 6)).toEqual({ at: [5, 6, 7, 8, 9], hasMore: true, hasNewer: false });
      expect(await page({ around: m(0) }, 1)).toEqual({ at: [0], hasMore: false, hasNewer: true });
      expect(await page({ around: m(9) }, 1)).toEqual({ at: [9], hasMore: true, hasNewer: false });
      for (const at of [{ after: "msg-unknown" }, { around: "msg-unknown" }]) expect(await page(at, 3)).toBeNull();
    });

    test("indexed reactions come back counted in pages, found messages and search results, replaced when they change", async () => {
      const { store } = await useStore(kind);
      const group = await store.groups.create("ann", "Trip", ["ben", "cat"]);
      const other = (await store.conversations.getOrCreateDirect("ann", "ben")).conversation.id;
      const m = (i: number) => record(i, "").id;
      await store.transaction(async (tx) => {
        await tx.indexMessages(group.id, 0, [said(1, "ann", "lunch plans"), said(2, "ben", "lunch at noon")]);
        await tx.indexMessages(other, 0, [said(1, "ann", "same id elsewhere")]);
      });
      const reaction = (i: number, userId: string, emoji: ReactionEmoji[], at = T0 + 100) => ({
        messageId: m(i),
        userId,
        emoji,
        at,
      });
      await store.transaction((tx) =>
        tx.indexReactions([
          {
            conversationId: group.id,
            records: [reaction(1, "cat", ["❤️"]), reaction(1, "ben", ["👍", "❤️"]), reaction(2, "ann", ["😂"])],
          },
        ]),
      );
      const reactionsIn = async () =>
        (await store.conversations.messagesPage(group.id, undefined, 10))?.messages.map((x) => x.reactions);
      expect(await reactionsIn()).toEqual([
        [
          { emoji: "👍", userIds: ["ben"] },
          { emoji: "❤️", userIds: ["ben", "cat"] },
        ],
        [{ emoji: "😂", userIds: ["ann"] }],
      ]);
      expect((await store.conversations.messagesPage(group.id, { around: m(2) }, 1))?.messages[0]?.reactions).toEqual([
        { emoji: "😂", userIds: ["ann"] },
      ]);
      // The same message id in another conversation has none of them.
      expect((await store.conversations.findMessage(other, m(1)))?.reactions).toEqual([]);
      expect((await store.conversations.findMessage(group.id, m(2)))?.reactions).toEqual([
        { emoji: "😂", userIds: ["ann"] },
      ]);
      const hits = await store.conversations.search("cat", ["lunch"], null, 10);
      expect(hits.messages.map((x) => [x.id, x.reactions.length])).toEqual([
        [m(2), 1],
        [m(1), 2],
      ]);

      // A user's record replaced: their emoji now, none left counts as no reaction.
      await store.transaction((tx) =>
        tx.indexReactions([
          {
            conversationId: group.id,
            records: [reaction(1, "ben", ["😮"], T0 + 200), reaction(2, "ann", [], T0 + 200)],
          },
          { conversationId: group.id, records: [reaction(1, "cat", [], T0 + 300)] },
        ]),
      );
      expect(await reactionsIn()).toEqual([[{ emoji: "😮", userIds: ["ben"] }], []]);
    });
  });

  describe("accounts", () => {
    test("the directory searches name and username ignoring ASCII case, ordered by name then id", async () => {
      const { store } = await useStore(kind);
      const { signUp } = await useAuth(store);
      const ids = new Map<string, string>();
      for (const [name, handle] of [
        ["alice Smith", "alice"],
        ["Bob", "bobby"],
        ["Émile", "emile"],
        ["Zoe", "zed_al"],
        ["ALAN", "alan1"],
        ["Sam", "sam_one"],
        ["sam", "sam_two"],
      ] as const)
        ids.set(handle, await signUp(name, handle));
      const names = async (q: string | null, after: [string, string] | null = null, limit = 50) =>
        (await store.users.directory({ q, after, limit })).map((r) => r.name);

      // Bytes after ASCII folding: "É" sorts after every ASCII letter, as in SQLite's NOCASE.
      const everyone = await names(null);
      expect(everyone.slice(0, 4)).toEqual(["ALAN", "alice Smith", "Bob", everyone[3]]);
      expect(everyone.slice(3, 5).sort()).toEqual(["Sam", "sam"]);
      expect(everyone.slice(5)).toEqual(["Zoe", "Émile"]);
      expect(await names("al")).toEqual(["ALAN", "alice Smith", "Zoe"]);
      expect(await names("mile")).toEqual(["Émile"]);
      expect(await names("é")).toEqual([]);

      const [sam1, sam2] = [ids.get("sam_one") as string, ids.get("sam_two") as string].sort();
      const firstSam = await store.users.directory({ q: "sam", after: null, limit: 1 });
      expect(firstSam.map((r) => r.id)).toEqual([sam1]);
      const row = firstSam[0] as { name: string; id: string };
      const nextSam = await store.users.directory({ q: "sam", after: [row.name, row.id], limit: 5 });
      expect(nextSam.map((r) => r.id)).toEqual([sam2]);
      expect(await names(null, ["BOB", ids.get("bobby") as string], 2)).toHaveLength(2);
    });

    test("finds users by id, email and username, and counts them", async () => {
      const { store } = await useStore(kind);
      const { signUp } = await useAuth(store);
      expect(await store.users.count()).toBe(0);
      const alice = await signUp("Alice", "alice");
      await signUp("Bob", "bob");
      expect(await store.users.count()).toBe(2);
      expect(await store.users.exists(alice)).toBe(true);
      expect(await store.users.exists("no-such-user")).toBe(false);
      expect(await store.users.idBy("email", "alice@example.com")).toBe(alice);
      expect(await store.users.idBy("username", "alice")).toBe(alice);
      expect(await store.users.idBy("username", "nobody")).toBeNull();
      await store.presence.setLastSeen(alice, T0 + 1);
      await store.presence.setLastSeen(alice, T0 + 2);
      expect(await store.users.byIds([alice, "no-such-user"])).toEqual([
        { id: alice, name: "Alice", username: "alice", lastSeenAt: T0 + 2 },
      ]);
      expect(await store.presence.lastSeen([alice, "no-such-user"])).toEqual(new Map([[alice, T0 + 2]]));
      expect(await store.users.byIds([])).toEqual([]);
    });

    test("reads session times as better-auth wrote them and deletes sessions", async () => {
      const { store } = await useStore(kind);
      const { signUp, signIn } = await useAuth(store);
      await signUp("Alice", "alice");
      await signIn("alice");
      await signIn("alice");
      const all = await store.sessions.all();
      expect(all).toHaveLength(2);
      for (const s of all) {
        const created = new Date(s.createdAt).getTime();
        expect(Math.abs(created - Date.now())).toBeLessThan(60_000);
        expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(created);
      }
      const [one, two] = all.map((s) => s.id) as [string, string];
      expect((await store.sessions.times([one, "no-such-session"])).map((s) => s.id)).toEqual([one]);
      await store.sessions.delete([one]);
      expect((await store.sessions.all()).map((s) => s.id)).toEqual([two]);
    });

    test("is ready only once better-auth's tables exist", async () => {
      const { store } = await useStore(kind);
      await expect(store.ready()).rejects.toThrow();
      await useAuth(store);
      await expect(store.ready()).resolves.toBeUndefined();
    });
  });

  describe("lifecycle", () => {
    test("reopening runs no migration again and keeps the data", async () => {
      const t = await useStore(kind);
      await useAuth(t.store);
      await t.store.transaction((tx) => tx.append("doc.a", 1, bytes(1)));
      const { conversation } = await t.store.conversations.getOrCreateDirect("alice", "bob");
      await t.close(t.store);
      const again = await t.reopen();
      await expect(again.ready()).resolves.toBeUndefined();
      expect((await again.docs.load("doc.a")).updates).toEqual([bytes(1)]);
      expect(await again.conversations.getOrCreateDirect("bob", "alice")).toEqual({ conversation, created: false });
    });

    test("two exclusive sections do not overlap", async () => {
      const { store } = await useStore(kind);
      const events: string[] = [];
      const section = (name: string) =>
        store.exclusive(async () => {
          events.push(`${name} in`);
          await sleep(50);
          events.push(`${name} out`);
          return name;
        });
      expect(await Promise.all([section("a"), section("b")])).toEqual(["a", "b"]);
      // Either may go first (on PostgreSQL each waits for the lock on its own connection).
      const first = events[0]?.startsWith("a") ? "a" : "b";
      const second = first === "a" ? "b" : "a";
      expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    });

    test("transactions run one at a time in call order", async () => {
      const { store } = await useStore(kind);
      const events: string[] = [];
      const slow = store.transaction(async (tx) => {
        events.push("slow in");
        await sleep(50);
        await tx.append("doc.a", 1, bytes(1));
        events.push("slow out");
      });
      const fast = store.transaction(async (tx) => {
        events.push("fast in");
        await tx.append("doc.a", 2, bytes(2));
        events.push("fast out");
      });
      await Promise.all([slow, fast]);
      expect(events).toEqual(["slow in", "slow out", "fast in", "fast out"]);
    });
  });
});
