import { describe, expect, it } from "vitest";
import { createUpgradeCache, UPGRADE_CACHE_MS } from "./upgrade-cache.js";

const alice = { id: "alice", name: "Alice", sessionId: "s1" };
const times = { createdAt: 0, expiresAt: 0 };

function cache() {
  let now = 1_000;
  let live = true;
  const c = createUpgradeCache({ now: () => now, isLive: () => live });
  return {
    c,
    advance: (ms: number) => {
      now += ms;
    },
    endLife: () => {
      live = false;
    },
  };
}

const headers = (h: Record<string, string>) => new Headers(h);

describe("the upgrade session cache", () => {
  it("answers a repeated upgrade with the same credentials, and nothing without credentials", () => {
    const { c } = cache();
    const key = c.keyOf(headers({ authorization: "Bearer t1" })) as string;
    c.set(key, alice, times);
    expect(c.get(c.keyOf(headers({ authorization: "Bearer t1" })) as string)).toEqual(alice);
    expect(c.get(c.keyOf(headers({ authorization: "Bearer t2" })) as string)).toBeNull();
    expect(c.keyOf(headers({}))).toBeNull();
  });

  it("forgets a session the moment it ends, and an account when it changes", () => {
    const { c } = cache();
    const bearer = c.keyOf(headers({ authorization: "Bearer t1" })) as string;
    const cookie = c.keyOf(headers({ cookie: "better-auth.session_token=t1.sig" })) as string;
    c.set(bearer, alice, times);
    c.set(cookie, alice, times);
    c.forget(["s1"]);
    expect(c.get(bearer)).toBeNull();
    expect(c.get(cookie)).toBeNull();
    c.set(bearer, alice, times);
    c.forgetUser("alice");
    expect(c.get(bearer)).toBeNull();
    expect(c.size).toBe(0);
  });

  it("trusts an entry for UPGRADE_CACHE_MS at most, and never past the session's life", () => {
    const t = cache();
    const key = t.c.keyOf(headers({ authorization: "Bearer t1" })) as string;
    t.c.set(key, alice, times);
    t.advance(UPGRADE_CACHE_MS - 1);
    expect(t.c.get(key)).toEqual(alice);
    t.advance(1);
    expect(t.c.get(key)).toBeNull();
    t.c.set(key, alice, times);
    t.endLife();
    expect(t.c.get(key)).toBeNull();
  });
});
