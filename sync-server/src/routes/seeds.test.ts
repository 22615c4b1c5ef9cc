import { DEMO_PASSWORD, DEMO_USERS, seed } from "@messenger/seeds";
import { type ConversationSummary, inboxDocName, inboxMap, type MessagesPage, type UsersPage } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { rawSql } from "../store/raw-sql.js";
import { createTestApp, type TestApp } from "./test-app.js";

function seedDeps(t: TestApp) {
  return {
    auth: t.auth,
    users: t.store.users,
    repo: t.repo,
    groups: t.store.groups,
    messageWriter: t.relay,
    publishConversation: t.relay.publishConversation,
    clock: t.clock,
  };
}

async function signInAs(t: TestApp, username: string) {
  const res = await t.call("POST", "/api/auth/sign-in/username", { body: { username, password: DEMO_PASSWORD } });
  expect(res.status).toBe(200);
  return t.sessionCookie(res);
}

describe("demo seed", () => {
  it("leaves every member's inbox document agreeing with their conversation list", async () => {
    const t = await createTestApp();
    await seed(seedDeps(t));
    await t.relay.settled();
    await new Promise((resolve) => setTimeout(resolve, 20)); // any inbox tick still queued
    await t.relay.settled();
    for (const { username } of DEMO_USERS) {
      const [row] = await rawSql<{ id: string }>(t.store, `SELECT id FROM "user" WHERE username = ?`, [username]);
      const userId = row?.id as string;
      expect(userId, username).toBeTruthy();
      const socket = { send() {}, close() {} };
      const conn = await t.relay.open(
        socket,
        { id: userId, name: username, sessionId: `s-${username}` },
        inboxDocName(userId),
      );
      const inbox = Object.fromEntries(inboxMap(conn.room.doc).entries());
      const listed = Object.fromEntries((await t.repo.listForUser(userId)).map((c) => [c.id, c]));
      expect(inbox, username).toEqual(listed);
      conn.close(1000);
    }
  });

  it("creates the demo accounts, conversations and a long history, and seeding again adds nothing", async () => {
    const t = await createTestApp();
    const first = await seed(seedDeps(t));
    expect(first.usersCreated).toBe(DEMO_USERS.length);
    expect(first.messagesWritten).toBeGreaterThan(3000);
    expect(first.groupsCreated).toBe(2);
    expect(await seed(seedDeps(t))).toEqual({
      usersCreated: 0,
      conversationsCreated: 0,
      groupsCreated: 0,
      messagesWritten: 0,
    });
    expect(await rawSql(t.store, `SELECT CAST(count(*) AS INTEGER) AS n FROM "session"`)).toEqual([{ n: 0 }]);

    const cookie = await signInAs(t, "alice");
    const users = (await (await t.call("GET", "/api/users?limit=50", { cookie })).json()) as UsersPage;
    expect(users.users.map((u) => u.username)).toEqual(DEMO_USERS.map((u) => u.username));

    const all = (await (await t.call("GET", "/api/conversations", { cookie })).json()) as {
      conversations: ConversationSummary[];
    };
    const active = (await (await t.call("GET", "/api/conversations/active?tz=UTC", { cookie })).json()) as {
      conversations: ConversationSummary[];
    };
    expect(all.conversations).toHaveLength(8);
    // Two groups: one with a history over past days (alice an admin), one active today ending in a system line.
    const groups = all.conversations.filter((c) => c.kind === "group");
    expect(groups.map((g) => g.name).sort()).toEqual(["Book club", "Weekend climb"]);
    const aliceId = users.users.find((u) => u.username === "alice")?.id as string;
    const club = groups.find((g) => g.name === "Book club") as ConversationSummary;
    expect(club.adminIds).toEqual([users.users.find((u) => u.username === "carol")?.id, aliceId]);
    expect(active.conversations.map((c) => c.name)).toContain("Weekend climb");
    expect(active.conversations.map((c) => c.name)).not.toContain("Book club");
    const climb = groups.find((g) => g.name === "Weekend climb") as ConversationSummary;
    expect(climb.memberIds).toHaveLength(5);
    expect(climb.adminIds[1]).toBe(aliceId);
    expect(climb.lastMessage).toMatchObject({
      authorId: "@system",
      text: "Grace Garcia renamed the group to \u201cWeekend climb\u201d",
    });
    // Some are active (last hour), some only have old messages.
    expect(active.conversations.length).toBeGreaterThanOrEqual(2);
    expect(active.conversations.length).toBeLessThan(all.conversations.length);

    // alice–bob is the long one: three segments, paged back to the very first message.
    const bobId = users.users.find((u) => u.username === "bob")?.id as string;
    const long = all.conversations.find(
      (c) => c.kind === "direct" && c.memberIds.includes(bobId),
    ) as ConversationSummary;
    expect(long.headSegment).toBe(3);
    let before: string | undefined;
    let count = 0;
    for (;;) {
      const url = `/api/conversations/${long.id}/messages?limit=200${before ? `&before=${before}` : ""}`;
      const page = (await (await t.call("GET", url, { cookie })).json()) as MessagesPage;
      count += page.messages.length;
      if (!page.hasMore) break;
      before = page.messages[0]?.id;
    }
    expect(count).toBe(3000);
  });
});
