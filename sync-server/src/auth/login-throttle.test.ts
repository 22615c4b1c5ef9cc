import { describe, expect, it } from "vitest";
import { BASE_LOCK_MS, createLoginThrottle, FAILURE_WINDOW_MS, MAX_FAILURES, MAX_LOCK_MS } from "./login-throttle.js";

function setup() {
  let now = Date.UTC(2025, 0, 1);
  const throttle = createLoginThrottle({ clock: () => now });
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe("login throttle", () => {
  it("allows attempts until the fifth failure, then locks the key", () => {
    const { throttle } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      throttle.fail("alice");
      expect(throttle.check("alice").allowed).toBe(true);
    }
    throttle.fail("alice");
    expect(throttle.check("alice")).toEqual({ allowed: false, retryAfterMs: BASE_LOCK_MS });
  });

  it("keeps keys apart", () => {
    const { throttle } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) throttle.fail("alice");
    expect(throttle.check("bob").allowed).toBe(true);
  });

  it("forgets failures older than the window", () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.fail("alice");
    advance(FAILURE_WINDOW_MS);
    throttle.fail("alice");
    expect(throttle.check("alice").allowed).toBe(true);
  });

  it("doubles the lock after each failure that follows a lock, up to the maximum", () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) throttle.fail("alice");
    let lock = BASE_LOCK_MS;
    for (let round = 0; round < 10; round++) {
      const verdict = throttle.check("alice");
      expect(verdict).toEqual({ allowed: false, retryAfterMs: lock });
      advance(lock);
      expect(throttle.check("alice").allowed).toBe(true);
      throttle.fail("alice");
      lock = Math.min(lock * 2, MAX_LOCK_MS);
    }
    expect(throttle.check("alice")).toEqual({ allowed: false, retryAfterMs: MAX_LOCK_MS });
  });

  it("starts afresh after a success", () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) throttle.fail("alice");
    advance(BASE_LOCK_MS);
    throttle.succeed("alice");
    for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.fail("alice");
    expect(throttle.check("alice").allowed).toBe(true);
  });

  it("forgets a locked key after a quiet window once the lock has ended", () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < MAX_FAILURES; i++) throttle.fail("alice");
    advance(BASE_LOCK_MS + FAILURE_WINDOW_MS);
    throttle.fail("alice");
    expect(throttle.check("alice").allowed).toBe(true);
  });
});
