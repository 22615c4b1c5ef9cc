import {
  type ConversationSummary,
  conversationDocName,
  deleteMessage,
  editMessage,
  MAX_SEARCH_QUERY_LENGTH,
  type MessagesPage,
  newMessageId,
  type SearchPage,
} from "@messenger/shared";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { encodeUpdate } from "../relay/protocol.js";
import { SEARCH_BURST } from "./search.js";
import { createTestApp, type SignedIn, type TestApp } from "./test-app.js";

async function direct(t: TestApp, me: SignedIn, other: SignedIn): Promise<string> {
  const res = await t.call("POST", "/api/conversations", { cookie: me.cookie, body: { userId: other.user.id } });
  return ((await res.json()) as { conversation: ConversationSummary }).conversation.id;
}

/** Writes messages through the relay at known times (oldest first), returning their ids. */
async function write(t: TestApp, conversationId: string, author: SignedIn, texts: string[], from = Date.now() - 1e6) {
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    const id = newMessageId();
    ids.push(id);
    await t.relay.postMessage(conversationId, author.user.id, { id, text, createdAt: from + i * 1000 });
  }
  return ids;
}

async function search(t: TestApp, me: SignedIn, q: string, extra = "") {
  const res = await t.call("GET", `/api/search?q=${encodeURIComponent(q)}${extra}`, { cookie: me.cookie });
  return { status: res.status, body: (await res.json()) as SearchPage & { error?: { code: string } } };
}

const foundIds = async (t: TestApp, me: SignedIn, q: string) => {
  const { status, body } = await search(t, me, q);
  expect(status).toBe(200);
  return body.results.map((r) => r.message.id);
};

/** Changes the conversation's head document as a member's device would, through the relay. */
async function changeLive(t: TestApp, conversationId: string, member: SignedIn, change: (doc: Y.Doc) => void) {
  const name = conversationDocName(conversationId, 0);
  const user = { id: member.user.id, name: member.user.name, sessionId: `device-${member.user.id}` };
  const connection = await t.relay.open({ send() {}, close() {} }, user, name);
  const doc = new Y.Doc();
  for (const update of (await t.store.docs.load(name)).updates) Y.applyUpdate(doc, update);
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  change(doc);
  for (const u of updates) connection.receive(encodeUpdate(u));
  await t.relay.settled();
  connection.ended();
}

async function threeUsers() {
  const t = await createTestApp();
  return { t, alice: await t.signUp("Alice"), bob: await t.signUp("Bob"), carol: await t.signUp("Carol") };
}

describe("GET /api/search", () => {
  it("finds words by folded prefixes: cafe finds Café, mee finds meeting, every word must match", async () => {
    const { t, alice, bob } = await threeUsers();
    const c = await direct(t, alice, bob);
    const [cafe, meeting, both] = await write(t, c, bob, [
      "Le CAFÉ est fermé",
      "Team meeting at noon",
      "Meeting at the café?",
    ]);
    expect(await foundIds(t, alice, "cafe")).toEqual([both, cafe]);
    expect(await foundIds(t, alice, "mee")).toEqual([both, meeting]);
    expect(await foundIds(t, alice, "MEE Caf")).toEqual([both]);
    expect(await foundIds(t, alice, "fermé")).toEqual([cafe]);
    expect(await foundIds(t, alice, "eeting")).toEqual([]);
    const { body } = await search(t, alice, "noon");
    expect(body.results).toEqual([
      {
        conversationId: c,
        message: expect.objectContaining({ id: meeting, authorId: bob.user.id, text: "Team meeting at noon" }),
      },
    ]);
    expect(body.nextCursor).toBeNull();
  });

  it("never shows a non-member another conversation's messages, whatever the query, even its exact text", async () => {
    const { t, alice, bob, carol } = await threeUsers();
    const secret = "launch codes 4242 are zebra quartz";
    await write(t, await direct(t, alice, bob), alice, [secret, "zebra crossing"]);
    const carols = await write(t, await direct(t, carol, bob), carol, ["zebra at the zoo"]);
    for (const q of [secret, "zebra", "z", "launch codes", "4242", "quartz zebra", `"${secret}"`, "* OR zebra"]) {
      const found = await foundIds(t, carol, q);
      expect(found.every((id) => carols.includes(id))).toBe(true);
    }
    expect(await foundIds(t, carol, "zebra")).toEqual(carols);
    expect((await foundIds(t, bob, "zebra")).length).toBe(3);
  });

  it("pages with the cursor through every hit exactly once, newest first", async () => {
    const { t, alice, bob, carol } = await threeUsers();
    const base = Date.now() - 1e7;
    const one = await write(
      t,
      await direct(t, alice, bob),
      bob,
      Array.from({ length: 9 }, (_, i) => `report ${i}`),
      base,
    );
    // Another conversation with hits at the very same times: the order breaks ties by id, then conversation.
    const two = await write(
      t,
      await direct(t, alice, carol),
      carol,
      Array.from({ length: 8 }, (_, i) => `reports ${i}`),
      base,
    );
    await write(t, await direct(t, bob, carol), carol, ["report nobody else sees"]);
    const seen: Array<readonly [number, string, string]> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: Awaited<ReturnType<typeof search>> = await search(
        t,
        alice,
        "rep",
        `&limit=4${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(status).toBe(200);
      expect(body.results.length).toBeLessThanOrEqual(4);
      seen.push(...body.results.map((r) => [r.message.createdAt, r.message.id, r.conversationId] as const));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(seen.length).toBe(one.length + two.length);
    expect(new Set(seen.map(([, id]) => id))).toEqual(new Set([...one, ...two]));
    const newerFirst = (a: readonly [number, string, string], b: readonly [number, string, string]) =>
      b[0] - a[0] || (b[1] < a[1] ? -1 : b[1] > a[1] ? 1 : 0) || (b[2] < a[2] ? -1 : b[2] > a[2] ? 1 : 0);
    expect(seen).toEqual([...seen].sort(newerFirst));
  });

  it("answers injection-shaped and odd queries with 200 or 400, never 500, and leaves the store intact", async () => {
    const { t, alice, bob } = await threeUsers();
    const c = await direct(t, alice, bob);
    const [quoted] = await write(t, c, bob, ['he said "OR" then 1=1 -- NEAR the table', "drop table message"]);
    const queries = [
      '" OR 1=1 --',
      "*",
      "NEAR(",
      "NEAR(a b, 2)",
      "'; DROP TABLE message; --",
      ":*",
      "&|!",
      "a & b | !c",
      "''",
      '"',
      "\\",
      "(",
      "^",
      "-",
      "col:word",
      "x".repeat(MAX_SEARCH_QUERY_LENGTH),
      "x".repeat(MAX_SEARCH_QUERY_LENGTH + 1),
      "日本語 😀 Ωμέγα \u0000 \u200b",
      "",
      "   ",
    ];
    for (const q of queries) {
      const { status, body } = await search(t, alice, q);
      expect([200, 400], `q=${JSON.stringify(q)}`).toContain(status);
      if (status === 400) expect(body.error?.code).toBe("VALIDATION_FAILED");
    }
    expect(await foundIds(t, alice, '" OR 1=1 --')).toEqual([quoted]);
    expect(await foundIds(t, alice, "NEAR(")).toEqual([quoted]);
    const page = await t.call("GET", `/api/conversations/${c}/messages`, { cookie: alice.cookie });
    expect(((await page.json()) as MessagesPage).messages.length).toBe(2);
    expect(await foundIds(t, alice, "drop table")).toHaveLength(1);
  });

  it("finds an edited message by its new words only, and never a deleted one", async () => {
    const { t, alice, bob } = await threeUsers();
    const c = await direct(t, alice, bob);
    const [edited, removed] = await write(t, c, bob, ["see you at the cinema", "secret rendezvous point"]);
    expect(await foundIds(t, alice, "cinema")).toEqual([edited]);
    await changeLive(t, c, bob, (doc) => {
      expect(editMessage(doc, edited as string, bob.user.id, "see you at the theatre", Date.now())).toBe(true);
      expect(deleteMessage(doc, removed as string, bob.user.id, Date.now())).toBe(true);
    });
    expect(await foundIds(t, alice, "theatre")).toEqual([edited]);
    expect(await foundIds(t, alice, "cinema")).toEqual([]);
    expect(await foundIds(t, alice, "rendezvous")).toEqual([]);
    expect(await foundIds(t, alice, "see")).toEqual([edited]);
  });

  it("stops finding a group's messages for a member removed from it, and never finds its system lines", async () => {
    const { t, alice, bob, carol } = await threeUsers();
    const dave = await t.signUp("Dave");
    const created = await t.call("POST", "/api/groups", {
      cookie: alice.cookie,
      body: { name: "Picnic planning", memberIds: [bob.user.id, carol.user.id, dave.user.id] },
    });
    const group = ((await created.json()) as { conversation: ConversationSummary }).conversation.id;
    const [sandwiches] = await write(t, group, alice, ["who brings sandwiches"]);
    expect(await foundIds(t, carol, "sandwich")).toEqual([sandwiches]);
    const removed = await t.call("DELETE", `/api/groups/${group}/members/${carol.user.id}`, { cookie: alice.cookie });
    expect(removed.status).toBe(200);
    expect(await foundIds(t, carol, "sandwich")).toEqual([]);
    expect(await foundIds(t, bob, "sandwich")).toEqual([sandwiches]);
    // The system lines ("Alice created the group", "… removed Carol") name people and the group.
    expect(await foundIds(t, bob, "picnic")).toEqual([]);
    expect(await foundIds(t, bob, "carol")).toEqual([]);
  });

  it("refuses a bad cursor, limit or parameter with 400, and anyone signed out with 401", async () => {
    const { t, alice } = await threeUsers();
    for (const extra of [
      "&cursor=not-a-cursor",
      "&cursor=WzEsMiwzXQ",
      "&limit=0",
      "&limit=51",
      "&limit=x",
      "&sort=old",
    ]) {
      const { status, body } = await search(t, alice, "hello", extra);
      expect(status, extra).toBe(400);
      expect(body.error?.code).toBe("VALIDATION_FAILED");
    }
    const missing = await t.call("GET", "/api/search", { cookie: alice.cookie });
    expect(missing.status).toBe(400);
    const signedOut = await t.call("GET", "/api/search?q=hello");
    expect(signedOut.status).toBe(401);
  });

  it("limits how fast one user can search (429 with Retry-After), without slowing anyone else", async () => {
    const { t, alice, bob } = await threeUsers();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < SEARCH_BURST + 10; i++) {
      const res = await t.call("GET", `/api/search?q=word${i}`, { cookie: alice.cookie });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, SEARCH_BURST).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await search(t, bob, "word")).status).toBe(200);
    // A query with no words looks nothing up and costs nothing.
    expect((await search(t, alice, "  ")).status).toBe(200);
  });
});
