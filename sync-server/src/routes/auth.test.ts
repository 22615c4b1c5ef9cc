import { describe, expect, it } from "vitest";
import { MAX_FAILURES } from "../auth/login-throttle.js";
import { hashPassword } from "../auth/password.js";
import { rawSql } from "../store/raw-sql.js";
import { createTestApp, freshIp, PASSWORD, type TestApp } from "./test-app.js";

async function sessionOf(t: TestApp, auth: { cookie?: string; token?: string }) {
  const res = await t.call("GET", "/api/auth/get-session", auth);
  expect(res.status).toBe(200);
  return (await res.json()) as { user: { id: string }; session: { id: string; token: string } } | null;
}

function endedFeed(t: TestApp) {
  const ended: string[] = [];
  t.auth.liveness.onEnded((ids) => ended.push(...ids));
  return ended;
}

/** The stored password hash of a user (better-auth's "account" row). */
async function passwordOf(t: TestApp, userId: string): Promise<string | undefined> {
  const rows = await rawSql<{ password: string }>(t.store, `SELECT password FROM account WHERE "userId" = ?`, [userId]);
  return rows[0]?.password;
}

async function sessionCount(t: TestApp): Promise<number> {
  const rows = await rawSql<{ n: number }>(t.store, `SELECT CAST(count(*) AS INTEGER) AS n FROM "session"`);
  return rows[0]?.n ?? -1;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A JSON value with every leaf replaced by its type: what a caller could tell apart besides the values. */
function shapeOf(value: unknown): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries.map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

describe("accounts and sessions", () => {
  it("signs up with email, username and password; signing in then returns a cookie and a bearer token", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    expect(alice.user).toMatchObject({ name: "Alice", username: "alice", email: "alice@example.com" });
    expect(alice.cookie).toMatch(/^better-auth\.session_token=/);
    expect(alice.token.length).toBeGreaterThan(20);
    expect((await sessionOf(t, { cookie: alice.cookie }))?.user.id).toBe(alice.user.id);
  });

  it("answers a sign-up with a taken email exactly like a new account, and signs no one in", async () => {
    const t = await createTestApp();
    const signUp = (name: string, username: string, password: string) =>
      t.call("POST", "/api/auth/sign-up/email", {
        body: { name, email: "alice@example.com", username, password },
        ip: freshIp(),
      });
    const fresh = await signUp("Alice", "alice", PASSWORD);
    const taken = await signUp("Mallory", "mallory", "mallory-long-password");
    expect(taken.status).toBe(200);
    expect(fresh.status).toBe(200);
    const [freshBody, takenBody] = [await fresh.json(), await taken.json()];
    expect(shapeOf(takenBody)).toEqual(shapeOf(freshBody));
    expect(takenBody).toMatchObject({ token: null, user: { email: "alice@example.com", name: "Mallory" } });
    expect(freshBody).toMatchObject({ token: null });
    for (const res of [fresh, taken]) {
      expect(res.headers.get("set-auth-token")).toBeNull();
      expect(res.headers.getSetCookie().filter((c) => c.includes("session_token="))).toEqual([]);
    }
    // Nothing was created or changed for the existing account, and no session exists.
    expect(await rawSql(t.store, `SELECT name, username FROM "user"`)).toEqual([{ name: "Alice", username: "alice" }]);
    expect(await sessionCount(t)).toBe(0);
    // Only the owner's password signs in.
    expect(
      (await t.signIn({ email: "alice@example.com" }, { body: { password: "mallory-long-password" } })).status,
    ).toBe(401);
    expect((await t.signIn({ email: "alice@example.com" })).status).toBe(200);
  });

  it("says a username is taken, since usernames are public", async () => {
    const t = await createTestApp();
    await t.signUp("Alice");
    const res = await t.call("POST", "/api/auth/sign-up/email", {
      body: { name: "Other Alice", email: "other@example.com", username: "alice", password: PASSWORD },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("USERNAME_IS_ALREADY_TAKEN");
  });

  it("refuses a password shorter than 10 characters", async () => {
    const t = await createTestApp();
    const res = await t.call("POST", "/api/auth/sign-up/email", {
      body: { name: "Bob", email: "bob@example.com", username: "bob", password: "short-pw" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("PASSWORD_TOO_SHORT");
  });

  it("stores passwords as scrypt hashes with their parameters", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    expect(await passwordOf(t, alice.user.id)).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$/);
  });

  it("re-hashes a password stored with weaker parameters when its owner signs in", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const weak = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    await rawSql(t.store, `UPDATE account SET password = ? WHERE "userId" = ?`, [weak, alice.user.id]);
    expect(await passwordOf(t, alice.user.id)).toBe(weak);
    expect((await t.signIn({ username: "alice" })).status).toBe(200);
    expect(await passwordOf(t, alice.user.id)).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$/);
    expect((await t.signIn({ username: "alice" })).status).toBe(200);
  });

  it("signs in by email and by username", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const byEmail = await t.signIn({ email: "alice@example.com" });
    expect(byEmail.status).toBe(200);
    const byUsername = await t.signIn({ username: "ALICE" });
    expect(byUsername.status).toBe(200);
    expect((await sessionOf(t, { cookie: t.sessionCookie(byUsername) }))?.user.id).toBe(alice.user.id);
  });

  it("refuses a wrong password with 401", async () => {
    const t = await createTestApp();
    await t.signUp("Alice");
    const res = await t.signIn({ email: "alice@example.com" }, { body: { password: "not-the-password" } });
    expect(res.status).toBe(401);
  });

  it("signs out: the session ends everywhere and is reported ended", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const ended = endedFeed(t);
    const session = await sessionOf(t, { cookie: alice.cookie });
    const res = await t.call("POST", "/api/auth/sign-out", { cookie: alice.cookie, body: {} });
    expect(res.status).toBe(200);
    await tick();
    expect(ended).toEqual([session?.session.id]);
    expect(await sessionOf(t, { cookie: alice.cookie })).toBeNull();
    expect((await t.call("GET", "/api/conversations", { token: alice.token })).status).toBe(401);
    expect((await t.auth.liveness.alive([session?.session.id as string])).size).toBe(0);
  });

  it("lists my sessions and revokes one of them", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const second = t.sessionCookie(await t.signIn({ username: "alice" }));
    const list = await t.call("GET", "/api/auth/list-sessions", { cookie: alice.cookie });
    expect(list.status).toBe(200);
    const sessions = (await list.json()) as Array<{ id: string; token: string }>;
    expect(sessions).toHaveLength(2);
    const ended = endedFeed(t);
    const other = (await sessionOf(t, { cookie: second })) as { session: { id: string; token: string } };
    const res = await t.call("POST", "/api/auth/revoke-session", {
      cookie: alice.cookie,
      body: { token: other.session.token },
    });
    expect(res.status).toBe(200);
    await tick();
    expect(ended).toEqual([other.session.id]);
    expect(await sessionOf(t, { cookie: second })).toBeNull();
    expect(await sessionOf(t, { cookie: alice.cookie })).not.toBeNull();
  });

  it("revokes all other sessions, keeping the current one", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const others = [
      t.sessionCookie(await t.signIn({ username: "alice" })),
      t.sessionCookie(await t.signIn({ username: "alice" })),
    ];
    const ended = endedFeed(t);
    const res = await t.call("POST", "/api/auth/revoke-other-sessions", { cookie: alice.cookie, body: {} });
    expect(res.status).toBe(200);
    await tick();
    expect(ended).toHaveLength(2);
    for (const cookie of others) expect(await sessionOf(t, { cookie })).toBeNull();
    expect(await sessionOf(t, { cookie: alice.cookie })).not.toBeNull();
  });

  it("revokes every session of the user", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const other = t.sessionCookie(await t.signIn({ username: "alice" }));
    const ended = endedFeed(t);
    const res = await t.call("POST", "/api/auth/revoke-sessions", { cookie: alice.cookie, body: {} });
    expect(res.status).toBe(200);
    await tick();
    expect(ended).toHaveLength(2);
    expect(await sessionOf(t, { cookie: alice.cookie })).toBeNull();
    expect(await sessionOf(t, { cookie: other })).toBeNull();
  });

  it("rotates on sign-in: the session the request carried is revoked", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const before = (await sessionOf(t, { cookie: alice.cookie })) as { session: { id: string } };
    const ended = endedFeed(t);
    const res = await t.signIn({ email: "alice@example.com" }, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    await tick();
    expect(ended).toEqual([before.session.id]);
    expect(await sessionOf(t, { cookie: alice.cookie })).toBeNull();
    expect(await sessionOf(t, { cookie: t.sessionCookie(res) })).not.toBeNull();
  });

  it("rotates on sign-in with a bearer token too", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const res = await t.signIn({ username: "alice" }, { token: alice.token, origin: null });
    expect(res.status).toBe(200);
    expect(await sessionOf(t, { token: alice.token })).toBeNull();
    expect(await sessionOf(t, { token: res.headers.get("set-auth-token") as string })).not.toBeNull();
  });

  it("accepts a bearer token on the API and on better-auth's routes", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    expect((await sessionOf(t, { token: alice.token }))?.user.id).toBe(alice.user.id);
    expect((await t.call("GET", "/api/conversations", { token: alice.token, origin: null })).status).toBe(200);
    expect((await t.call("GET", "/api/conversations", { token: "not-a-token", origin: null })).status).toBe(401);
  });

  it("ends a session at its absolute lifetime even while it is in use", async () => {
    const t = await createTestApp({ env: { SESSION_IDLE_DAYS: "7", SESSION_MAX_DAYS: "10" } });
    const alice = await t.signUp("Alice");
    const { session } = (await sessionOf(t, { cookie: alice.cookie })) as { session: { id: string } };
    const ended = endedFeed(t);
    const DAY = 24 * 60 * 60 * 1000;
    t.advance(9 * DAY);
    expect((await t.call("GET", "/api/conversations", { cookie: alice.cookie })).status).toBe(200);
    expect(await t.auth.liveness.alive([session.id])).toEqual(new Set([session.id]));
    t.advance(1 * DAY);
    const res = await t.call("GET", "/api/conversations", { cookie: alice.cookie });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    await tick();
    expect(ended).toEqual([session.id]);
    expect(await sessionCount(t)).toBe(0);
  });

  it("enforces the absolute lifetime on better-auth's routes and on the socket", async () => {
    const t = await createTestApp({ env: { SESSION_IDLE_DAYS: "1", SESSION_MAX_DAYS: "1" } });
    const alice = await t.signUp("Alice");
    const headers = new Headers({ authorization: `Bearer ${alice.token}` });
    expect(await t.auth.authenticate(headers)).toMatchObject({ id: alice.user.id, name: "Alice" });
    t.advance(24 * 60 * 60 * 1000);
    expect(await sessionOf(t, { cookie: alice.cookie })).toBeNull();
    expect(await t.auth.authenticate(headers)).toBeNull();
  });

  it("reports sessions past their lifetime as dead to the relay and deletes them", async () => {
    const t = await createTestApp({ env: { SESSION_IDLE_DAYS: "1", SESSION_MAX_DAYS: "2" } });
    const alice = await t.signUp("Alice");
    const bob = await t.signUp("Bob");
    const ids = await Promise.all(
      [alice, bob].map(async (u) => ((await sessionOf(t, u)) as { session: { id: string } }).session.id),
    );
    const ended = endedFeed(t);
    expect(await t.auth.liveness.alive([...ids, "no-such-session"])).toEqual(new Set(ids));
    t.advance(2 * 24 * 60 * 60 * 1000);
    expect((await t.auth.liveness.alive(ids)).size).toBe(0);
    await tick();
    expect(ended.sort()).toEqual([...ids].sort());
  });

  it("authenticates a socket by cookie or bearer and refuses an untrusted origin", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const { session } = (await sessionOf(t, alice)) as { session: { id: string } };
    const expected = { id: alice.user.id, name: "Alice", sessionId: session.id };
    expect(await t.auth.authenticate(new Headers({ cookie: alice.cookie, origin: "http://localhost:3000" }))).toEqual(
      expected,
    );
    expect(await t.auth.authenticate(new Headers({ authorization: `Bearer ${alice.token}` }))).toEqual(expected);
    expect(await t.auth.authenticate(new Headers({ cookie: alice.cookie, origin: "https://evil.example" }))).toBeNull();
    expect(await t.auth.authenticate(new Headers())).toBeNull();
  });

  it("refuses cookie requests from an untrusted origin", async () => {
    const t = await createTestApp();
    const alice = await t.signUp("Alice");
    const signOut = await t.call("POST", "/api/auth/sign-out", {
      cookie: alice.cookie,
      body: {},
      origin: "https://evil.example",
    });
    expect(signOut.status).toBe(403);
    expect(await sessionOf(t, { cookie: alice.cookie })).not.toBeNull();
    const signIn = await t.signIn({ email: "alice@example.com" }, { origin: "https://evil.example" });
    expect(signIn.status).toBe(403);
    const post = await t.call("POST", "/api/conversations", {
      cookie: alice.cookie,
      body: { userId: "x" },
      origin: "https://evil.example",
    });
    expect(post.status).toBe(403);
    expect(await post.json()).toEqual({ error: { code: "UNTRUSTED_ORIGIN", message: expect.any(String) } });
  });

  it("locks an account after repeated failures from any IP, and a success resets it", async () => {
    const t = await createTestApp();
    await t.signUp("Alice");
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await t.signIn({ username: "alice" }, { body: { password: "wrong-password" }, ip: freshIp() });
      expect(res.status).toBe(401);
    }
    // Locked: even the right password, by email, from yet another address.
    const locked = await t.signIn({ email: "alice@example.com" }, { ip: freshIp() });
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);

    t.advance(60 * 1000);
    expect((await t.signIn({ email: "alice@example.com" }, { ip: freshIp() })).status).toBe(200);
    // Reset: four more failures do not lock.
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      await t.signIn({ username: "alice" }, { body: { password: "wrong-password" }, ip: freshIp() });
    }
    expect((await t.signIn({ username: "alice" }, { ip: freshIp() })).status).toBe(200);
  });

  it("throttles unknown accounts the same way, without revealing that they do not exist", async () => {
    const t = await createTestApp();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await t.signIn({ email: "nobody@example.com" }, { ip: freshIp() })).status).toBe(401);
    }
    expect((await t.signIn({ email: "nobody@example.com" }, { ip: freshIp() })).status).toBe(429);
  });

  it("rate-limits sign-in attempts per IP", async () => {
    const t = await createTestApp();
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await t.signIn({ email: `user${i}@example.com` }, { ip, body: { password: PASSWORD } })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});
