import type { UsersPage } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { createTestApp, type SignedIn, type TestApp } from "./test-app.js";

async function page(t: TestApp, me: SignedIn, query: string): Promise<UsersPage> {
  const res = await t.call("GET", `/api/users${query}`, { cookie: me.cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as UsersPage;
}

describe("GET /api/users", () => {
  it("lists everyone ordered by name, without emails", async () => {
    const t = await createTestApp();
    const carol = await t.signUp("carol");
    await t.signUp("Alice");
    await t.signUp("Bob", { username: "bobby" });
    const { users, nextCursor } = await page(t, carol, "");
    expect(users.map((u) => u.name)).toEqual(["Alice", "Bob", "carol"]);
    expect(users[1]).toEqual({
      id: expect.any(String),
      name: "Bob",
      username: "bobby",
      online: false,
      lastSeenAt: null,
    });
    expect(JSON.stringify(users)).not.toContain("@example.com");
    expect(nextCursor).toBeNull();
  });

  it("searches name and username, ignoring case", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Alice");
    await t.signUp("Robert Smith", { username: "bob" });
    await t.signUp("Carol", { username: "carol" });
    const names = async (q: string) => (await page(t, me, `?q=${encodeURIComponent(q)}`)).users.map((u) => u.name);
    expect(await names("SMITH")).toEqual(["Robert Smith"]);
    expect(await names("bo")).toEqual(["Robert Smith"]);
    expect(await names("CAR")).toEqual(["Carol"]);
    expect(await names("r")).toEqual(["Carol", "Robert Smith"]);
    expect(await names("%")).toEqual([]);
  });

  it("never matches on email, so an address cannot be recovered by searching its prefixes", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Alice");
    await t.signUp("Dana", { username: "dana", email: "zq.private-mail@hidden.example" });
    const found = async (q: string) => (await page(t, me, `?q=${encodeURIComponent(q)}`)).users;
    for (const prefix of ["z", "zq", "zq.private", "zq.private-mail@", "zq.private-mail@hidden.example", "hidden"]) {
      expect(await found(prefix)).toEqual([]);
    }
    expect((await found("dana")).map((u) => u.name)).toEqual(["Dana"]);
  });

  it("pages with an opaque cursor until the last page", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Erin");
    for (const name of ["Dave", "alice", "Carol", "bob"]) await t.signUp(name);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: UsersPage = await page(t, me, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...p.users.map((u) => u.name));
      cursor = p.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(["alice", "bob", "Carol", "Dave", "Erin"]);
    expect(pages).toBe(3);
  });

  it("shows who is online and when the others were last seen", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Alice");
    const bob = await t.signUp("Bob");
    const carol = await t.signUp("Carol");
    t.setNow(Date.UTC(2025, 5, 1, 12));
    t.presence.connect(bob.user.id);
    t.presence.connect(carol.user.id);
    t.presence.disconnect(carol.user.id);
    const { users } = await page(t, me, "");
    const byName = Object.fromEntries(users.map((u) => [u.name, u]));
    expect(byName.Bob).toMatchObject({ online: true, lastSeenAt: null });
    expect(byName.Carol).toMatchObject({ online: false, lastSeenAt: Date.UTC(2025, 5, 1, 12) });
  });

  it("refuses a bad cursor or limit with VALIDATION_FAILED naming the field", async () => {
    const t = await createTestApp();
    const me = await t.signUp("Alice");
    for (const [query, field] of [
      ["?cursor=nonsense", "cursor"],
      ["?limit=0", "limit"],
      ["?limit=201", "limit"],
      ["?color=red", "color"],
    ] as const) {
      const res = await t.call("GET", `/api/users${query}`, { cookie: me.cookie });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: Array<{ field: string }> } };
      expect(body.error.code).toBe("VALIDATION_FAILED");
      expect(body.error.details[0]?.field).toBe(field);
    }
  });
});
