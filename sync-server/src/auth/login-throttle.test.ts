import { randomBytes } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectRedis } from "../cluster/redis.js";
import { createLogger } from "../logger.js";
import {
  BASE_LOCK_MS,
  createLoginThrottle,
  FAILURE_WINDOW_MS,
  type LoginThrottle,
  MAX_FAILURES,
  MAX_LOCK_MS,
} from "./login-throttle.js";
import { createRedisLoginThrottle } from "./redis-login-throttle.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** The same rules, step for step, in memory and in Redis (which must be running: no skipping). */
const implementations: Array<[string, (clock: () => number) => Promise<LoginThrottle>]> = [
  ["in memory", async (clock) => createLoginThrottle({ clock })],
  [
    "in Redis",
    async (clock) => {
      const logger = createLogger("silent");
      const link = await connectRedis(TEST_REDIS_URL, `test:${randomBytes(6).toString("hex")}:`, logger);
      onTestFinished(async () => {
        const keys = await link.client.keys(`${link.prefix}*`);
        if (keys.length > 0) await link.client.del(...keys);
        await link.close();
      });
      return createRedisLoginThrottle(link, { clock, logger });
    },
  ],
];

describe.each(implementations)("login throttle %s", (_, create) => {
  async function setup() {
    let now = Date.UTC(2025, 0, 1);
    const throttle = await create(() => now);
    return { throttle, advance: (ms: number) => (now += ms) };
  }

  it("allows attempts until the fifth failure, then locks the key", async () => {
    const { throttle } = await setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      await throttle.fail("alice");
      expect((await throttle.check("alice")).allowed).toBe(true);
    }
    await throttle.fail("alice");
    expect(await throttle.check("alice")).toEqual({ allowed: false, retryAfterMs: BASE_LOCK_MS });
  });

  it("keeps keys apart", async () => {
    const { throttle } = await setup();
    for (let i = 0; i < MAX_FAILURES; i++) await throttle.fail("alice");
    expect((await throttle.check("bob")).allowed).toBe(true);
  });

  it("forgets failures older than the window", async () => {
    const { throttle, advance } = await setup();
    for (let i = 0; i < MAX_FAILURES - 1; i++) await throttle.fail("alice");
    advance(FAILURE_WINDOW_MS);
    await throttle.fail("alice");
    expect((await throttle.check("alice")).allowed).toBe(true);
  });

  it("doubles the lock after each failure that follows a lock, up to the maximum", async () => {
    const { throttle, advance } = await setup();
    for (let i = 0; i < MAX_FAILURES; i++) await throttle.fail("alice");
    let lock = BASE_LOCK_MS;
    for (let round = 0; round < 10; round++) {
      const verdict = await throttle.check("alice");
      expect(verdict).toEqual({ allowed: false, retryAfterMs: lock });
      advance(lock);
      expect((await throttle.check("alice")).allowed).toBe(true);
      await throttle.fail("alice");
      lock = Math.min(lock * 2, MAX_LOCK_MS);
    }
    expect(await throttle.check("alice")).toEqual({ allowed: false, retryAfterMs: MAX_LOCK_MS });
  });

  it("starts afresh after a success", async () => {
    const { throttle, advance } = await setup();
    for (let i = 0; i < MAX_FAILURES; i++) await throttle.fail("alice");
    advance(BASE_LOCK_MS);
    await throttle.succeed("alice");
    for (let i = 0; i < MAX_FAILURES - 1; i++) await throttle.fail("alice");
    expect((await throttle.check("alice")).allowed).toBe(true);
  });

  it("forgets a locked key after a quiet window once the lock has ended", async () => {
    const { throttle, advance } = await setup();
    for (let i = 0; i < MAX_FAILURES; i++) await throttle.fail("alice");
    advance(BASE_LOCK_MS + FAILURE_WINDOW_MS);
    await throttle.fail("alice");
    expect((await throttle.check("alice")).allowed).toBe(true);
  });
});
