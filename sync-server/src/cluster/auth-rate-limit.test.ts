import { describe, expect, it } from "vitest";
import { createRedisAuthRateLimitStorage } from "./auth-rate-limit.js";
import { connectTestProcess, testRedisPrefix } from "./testing.js";

describe("better-auth rate limits in Redis", () => {
  it("allows a rule's maximum per window over every process, then says when to retry", async () => {
    const prefix = testRedisPrefix();
    const storages = [0, 1, 2].map(async () =>
      createRedisAuthRateLimitStorage((await connectTestProcess(prefix)).link),
    );
    const [a, b, c] = await Promise.all(storages);
    if (!a || !b || !c) throw new Error("three storages");
    const rule = { window: 60, max: 3 };
    for (const storage of [a, b, c])
      expect(await storage.consume("127.0.0.1|/sign-in/email", rule)).toEqual({ allowed: true, retryAfter: null });
    const refused = await a.consume("127.0.0.1|/sign-in/email", rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    // Other keys, and other rules for the same key, count apart.
    expect((await b.consume("127.0.0.2|/sign-in/email", rule)).allowed).toBe(true);
    expect((await b.consume("127.0.0.1|/sign-in/email", { window: 10, max: 3 })).allowed).toBe(true);
  });
});
