import { type ConversationSummary, type Message, type MessagesPage, newMessageId } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../app.js";
import { createTestApp, type SignedIn, type TestApp } from "./test-app.js";
import { WRITE_BURST } from "./write-limit.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

async function start(t: TestApp, me: SignedIn, other: SignedIn) {
  const res = await t.call("POST", "/api/conversations", { cookie: me.cookie, body: { userId: other.user.id } });
  return {
    status: res.status,
    conversation: ((await res.json()) as { conversation: ConversationSummary }).conversation,
  };
}

async function post(t: TestApp, me: SignedIn, conversationId: string, body: unknown) {
  return t.call("POST", `/api/conversations/${conversationId}/messages`, { cookie: me.cookie, body });
}

async function errorCode(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

async function twoUsers() {
  const t = await createTestApp();
  return { t, alice: await t.signUp("Alice"), bob: await t.signUp("Bob") };
}

describe("conversations", () => {
  it("creates a direct conversation once per pair, whoever starts it", async () => {
    const published: ConversationSummary[] = [];
    const t = await createTestApp({ publishConversation: (s) => void published.push(s) });
    const alice = await t.signUp("Alice");
    const bob = await t.signUp("Bob");
    const first = await start(t, alice, bob);
    expect(first.status).toBe(201);
    expect(first.conversation).toMatchObject({
      memberIds: [alice.user.id, bob.user.id].sort(),
      lastMessage: null,
      headSegment: 0,
    });
    expect(first.conversation.documents).toEqual([`conversation.${first.conversation.id}.0`]);
    const again = await start(t, alice, bob);
    const reverse = await start(t, bob, alice);
    expect([again.status, reverse.status]).toEqual([200, 200]);
    expect(again.conversation.id).toBe(first.conversation.id);
    expect(reverse.conversation.id).toBe(first.conversation.id);
    expect(published.map((s) => s.id)).toEqual([first.conversation.id]);
  });

  it("refuses a conversation with yourself (400) or with nobody (404)", async () => {
    const { t, alice } = await twoUsers();
    const self = await t.call("POST", "/api/conversations", { cookie: alice.cookie, body: { userId: alice.user.id } });
    expect(self.status).toBe(400);
    expect(await errorCode(self)).toBe("VALIDATION_FAILED");
    const nobody = await t.call("POST", "/api/conversations", {
      cookie: alice.cookie,
      body: { userId: "no-such-user" },
    });
    expect(nobody.status).toBe(404);
    expect(await errorCode(nobody)).toBe("NOT_FOUND");
  });

  it("refuses bodies that are not the JSON it expects, naming the field", async () => {
    const { t, alice } = await twoUsers();
    const missing = await t.call("POST", "/api/conversations", { cookie: alice.cookie, body: {} });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: "VALIDATION_FAILED", details: [{ field: "userId" }] },
    });
    const extra = await t.call("POST", "/api/conversations", {
      cookie: alice.cookie,
      body: { userId: "x", admin: true },
    });
    expect(await extra.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ field: "admin" }] } });
    const form = await t.call("POST", "/api/conversations", {
      cookie: alice.cookie,
      raw: "userId=x",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(400);
    expect(await errorCode(form)).toBe("VALIDATION_FAILED");
    const broken = await t.call("POST", "/api/conversations", { cookie: alice.cookie, raw: "{not json" });
    expect(broken.status).toBe(400);
    expect(await errorCode(broken)).toBe("VALIDATION_FAILED");
  });

  it("shows a conversation to its members only, and 404 to anyone else", async () => {
    const { t, alice, bob } = await twoUsers();
    const carol = await t.signUp("Carol");
    const { conversation } = await start(t, alice, bob);
    const mine = await t.call("GET", `/api/conversations/${conversation.id}`, { cookie: bob.cookie });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { conversation: ConversationSummary }).conversation.id).toBe(conversation.id);
    for (const path of [`/api/conversations/${conversation.id}`, `/api/conversations/${conversation.id}/messages`]) {
      const res = await t.call("GET", path, { cookie: carol.cookie });
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe("NOT_FOUND");
    }
    expect((await post(t, carol, conversation.id, { id: newMessageId(), text: "hi" })).status).toBe(404);
    expect((await t.call("GET", "/api/conversations/doesNotExist", { cookie: alice.cookie })).status).toBe(404);
  });

  it("lists my conversations by last activity with a preview of the last message", async () => {
    const { t, alice, bob } = await twoUsers();
    const carol = await t.signUp("Carol");
    const withBob = (await start(t, alice, bob)).conversation;
    const withCarol = (await start(t, alice, carol)).conversation;
    expect((await post(t, bob, withBob.id, { id: newMessageId(), text: "newest news" })).status).toBe(201);
    const res = await t.call("GET", "/api/conversations", { cookie: alice.cookie });
    const { conversations } = (await res.json()) as { conversations: ConversationSummary[] };
    expect(conversations.map((c) => c.id)).toEqual([withBob.id, withCarol.id]);
    expect(conversations[0]?.lastMessage).toMatchObject({ authorId: bob.user.id, text: "newest news", deleted: false });
    expect(conversations[0]?.documents).toEqual([`conversation.${withBob.id}.0`]);
    const carolList = (await (await t.call("GET", "/api/conversations", { cookie: carol.cookie })).json()) as {
      conversations: ConversationSummary[];
    };
    expect(carolList.conversations.map((c) => c.id)).toEqual([withCarol.id]);
  });
});

describe("active conversations", () => {
  // 2025-03-10 12:00 UTC: 21:00 in Tokyo, 05:00 in Los Angeles (DST began on 9 March).
  const NOW = Date.UTC(2025, 2, 10, 12, 0);

  async function scenario() {
    const t = await createTestApp();
    t.setNow(NOW);
    const me = await t.signUp("Alice");
    const ids: Record<string, string> = {};
    const at: Record<string, number | null> = {
      lastHour: NOW - 30 * 60 * 1000,
      earlyTodayUtc: Date.UTC(2025, 2, 10, 1, 0),
      lateYesterdayUtc: Date.UTC(2025, 2, 9, 23, 30),
      daysAgo: NOW - 3 * DAY,
      silent: null,
    };
    for (const [name, createdAt] of Object.entries(at)) {
      const other = await t.signUp(name);
      const { conversation } = await start(t, me, other);
      ids[name] = conversation.id;
      if (createdAt !== null) {
        // Through the relay's writer with an explicit time, as a client would have written it then.
        await t.relay.postMessage(conversation.id, other.user.id, {
          id: newMessageId(),
          text: "older",
          createdAt: createdAt - DAY,
        });
        await t.relay.postMessage(conversation.id, other.user.id, {
          id: newMessageId(),
          text: `at ${name}`,
          createdAt,
        });
      }
    }
    return { t, me, ids };
  }

  async function active(t: TestApp, me: SignedIn, tz: string | null) {
    const res = await t.call("GET", `/api/conversations/active${tz ? `?tz=${encodeURIComponent(tz)}` : ""}`, {
      cookie: me.cookie,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { conversations: ConversationSummary[] }).conversations.map((c) => c.id).sort();
  }

  it("keeps conversations with a message today in the viewer's zone or in the last hour", async () => {
    const { t, me, ids } = await scenario();
    expect(await active(t, me, "UTC")).toEqual([ids.lastHour, ids.earlyTodayUtc].sort());
    expect(await active(t, me, null)).toEqual([ids.lastHour, ids.earlyTodayUtc].sort());
    // 23:30 UTC yesterday is 08:30 today in Tokyo.
    expect(await active(t, me, "Asia/Tokyo")).toEqual([ids.lastHour, ids.earlyTodayUtc, ids.lateYesterdayUtc].sort());
    // 01:00 UTC today is 18:00 yesterday in Los Angeles.
    expect(await active(t, me, "America/Los_Angeles")).toEqual([ids.lastHour]);
  });

  it("moves with the clock: after midnight only the last hour counts", async () => {
    const { t, me, ids } = await scenario();
    t.setNow(Date.UTC(2025, 2, 11, 0, 10));
    expect(await active(t, me, "UTC")).toEqual([]);
    t.setNow(Date.UTC(2025, 2, 10, 23, 59));
    expect(await active(t, me, "UTC")).toEqual([ids.lastHour, ids.earlyTodayUtc].sort());
  });

  it("refuses an unknown time zone with 400", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Alice");
    const res = await t.call("GET", "/api/conversations/active?tz=Mars%2FOlympus", { cookie: me.cookie });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ field: "tz" }] } });
  });
});

describe("messages", () => {
  it("posts a message (201) and answers a retry of the same id with the stored one (200)", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const id = newMessageId();
    const first = await post(t, alice, conversation.id, { id, text: "hello bob" });
    expect(first.status).toBe(201);
    const { message } = (await first.json()) as { message: Message };
    expect(message).toMatchObject({
      id,
      conversationId: conversation.id,
      authorId: alice.user.id,
      text: "hello bob",
      segment: 0,
      editedAt: null,
    });
    const retry = await post(t, alice, conversation.id, { id, text: "hello bob" });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { message: Message }).message).toEqual(message);
    const page = (await (
      await t.call("GET", `/api/conversations/${conversation.id}/messages`, { cookie: bob.cookie })
    ).json()) as MessagesPage;
    expect(page.messages.map((m) => m.id)).toEqual([id]);
  });

  it("posts a reply that names the message it answers, and pages carry it", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const original = newMessageId();
    expect((await post(t, bob, conversation.id, { id: original, text: "lunch?" })).status).toBe(201);
    const reply = newMessageId();
    const res = await post(t, alice, conversation.id, { id: reply, text: "yes!", replyTo: original });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { message: Message }).message.replyTo).toBe(original);
    const page = (await (
      await t.call("GET", `/api/conversations/${conversation.id}/messages`, { cookie: bob.cookie })
    ).json()) as MessagesPage;
    expect(page.messages.map((m) => [m.id, m.replyTo])).toEqual([
      [original, null],
      [reply, original],
    ]);
    const bad = await post(t, alice, conversation.id, { id: newMessageId(), text: "x", replyTo: "../x" });
    expect(bad.status).toBe(400);
  });

  it("refuses an id another member already used with 409", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const id = newMessageId();
    expect((await post(t, alice, conversation.id, { id, text: "mine" })).status).toBe(201);
    const res = await post(t, bob, conversation.id, { id, text: "also mine?" });
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe("CONFLICT");
  });

  it("stores the createdAt the client gives (its document's record) and refuses one over a day ahead with 400", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const writtenOffline = Date.now() - 3_600_000;
    const id = newMessageId();
    const res = await post(t, alice, conversation.id, { id, text: "from the outbox", createdAt: writtenOffline });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { message: Message }).message.createdAt).toBe(writtenOffline);
    const ahead = Date.now() + 2 * 24 * 3_600_000;
    const refused = await post(t, alice, conversation.id, { id: newMessageId(), text: "later", createdAt: ahead });
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe("VALIDATION_FAILED");
  });

  it("refuses empty text, a bad id or unknown fields with 400", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    for (const [body, field] of [
      [{ id: newMessageId(), text: "   " }, "text"],
      [{ id: "short", text: "hi" }, "id"],
      [{ id: newMessageId(), text: "x".repeat(4001) }, "text"],
      [{ id: newMessageId(), text: "hi", author: "someone-else" }, "author"],
    ] as const) {
      const res = await post(t, alice, conversation.id, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ field }] } });
    }
  });

  it("refuses a body over the size limit with 413", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const res = await post(t, alice, conversation.id, { id: newMessageId(), text: "x".repeat(MAX_BODY_BYTES) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
  });

  it("pages backwards with before and limit, oldest first in each page", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const base = Date.UTC(2025, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = `message-${String(i).padStart(4, "0")}`;
      ids.push(id);
      await t.relay.postMessage(conversation.id, i % 2 ? bob.user.id : alice.user.id, {
        id,
        text: `#${i}`,
        createdAt: base + i * 1000,
      });
    }
    const get = async (query: string) => {
      const res = await t.call("GET", `/api/conversations/${conversation.id}/messages${query}`, {
        cookie: alice.cookie,
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as MessagesPage;
      return { ids: page.messages.map((m) => m.id), hasMore: page.hasMore };
    };
    expect(await get("?limit=3")).toEqual({ ids: ids.slice(4, 7), hasMore: true });
    expect(await get(`?limit=3&before=${ids[4]}`)).toEqual({ ids: ids.slice(1, 4), hasMore: true });
    expect(await get(`?limit=3&before=${ids[1]}`)).toEqual({ ids: ids.slice(0, 1), hasMore: false });
    expect(await get("")).toEqual({ ids, hasMore: false });

    const unknown = await t.call("GET", `/api/conversations/${conversation.id}/messages?before=${newMessageId()}`, {
      cookie: alice.cookie,
    });
    expect(unknown.status).toBe(404);
    const badLimit = await t.call("GET", `/api/conversations/${conversation.id}/messages?limit=500`, {
      cookie: alice.cookie,
    });
    expect(badLimit.status).toBe(400);
  });

  it("pages after and around a message, saying whether older and newer ones exist, and 404 for an unknown one", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const base = Date.UTC(2025, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = `message-${String(i).padStart(4, "0")}`;
      ids.push(id);
      await t.relay.postMessage(conversation.id, alice.user.id, { id, text: `#${i}`, createdAt: base + i * 1000 });
    }
    const get = async (query: string) => {
      const res = await t.call("GET", `/api/conversations/${conversation.id}/messages${query}`, {
        cookie: bob.cookie,
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as MessagesPage;
      return { ids: page.messages.map((m) => m.id), hasMore: page.hasMore, hasNewer: page.hasNewer };
    };
    expect(await get("?limit=3")).toEqual({ ids: ids.slice(4, 7), hasMore: true, hasNewer: false });
    expect(await get(`?limit=3&before=${ids[4]}`)).toEqual({ ids: ids.slice(1, 4), hasMore: true, hasNewer: true });
    expect(await get(`?limit=3&after=${ids[1]}`)).toEqual({ ids: ids.slice(2, 5), hasMore: true, hasNewer: true });
    expect(await get(`?limit=3&after=${ids[3]}`)).toEqual({ ids: ids.slice(4, 7), hasMore: true, hasNewer: false });
    expect(await get(`?limit=5&around=${ids[3]}`)).toEqual({ ids: ids.slice(1, 6), hasMore: true, hasNewer: true });
    expect(await get(`?limit=4&around=${ids[1]}`)).toEqual({ ids: ids.slice(0, 3), hasMore: false, hasNewer: true });
    expect(await get(`?around=${ids[6]}`)).toEqual({ ids, hasMore: false, hasNewer: false });

    for (const query of [`after=${newMessageId()}`, `around=${newMessageId()}`]) {
      const res = await t.call("GET", `/api/conversations/${conversation.id}/messages?${query}`, {
        cookie: bob.cookie,
      });
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe("NOT_FOUND");
    }
    const two = await t.call("GET", `/api/conversations/${conversation.id}/messages?after=${ids[1]}&around=${ids[2]}`, {
      cookie: bob.cookie,
    });
    expect(two.status).toBe(400);
    expect(await errorCode(two)).toBe("VALIDATION_FAILED");
  });

  it("limits how fast one user can write over HTTP (429 with Retry-After), without slowing anyone else", async () => {
    const { t, alice, bob } = await twoUsers();
    const { conversation } = await start(t, alice, bob);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < WRITE_BURST + 20; i++) {
      const res = await post(t, alice, conversation.id, { id: newMessageId(), text: `flood ${i}` });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    // start() spent one of alice's writes; the rest of the burst goes through, then 429s
    // (a slow machine may refill a token or two meanwhile: no timing is asserted).
    expect(statuses.slice(0, WRITE_BURST - 1).every((s) => s === 201)).toBe(true);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(limited && (await errorCode(limited))).toBe("RATE_LIMITED");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);

    const bobsTurn = await post(t, bob, conversation.id, { id: newMessageId(), text: "not throttled" });
    expect(bobsTurn.status).toBe(201);
    const reading = await t.call("GET", `/api/conversations/${conversation.id}/messages`, { cookie: alice.cookie });
    expect(reading.status).toBe(200);
  });
});
