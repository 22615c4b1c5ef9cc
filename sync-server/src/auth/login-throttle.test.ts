import { describe, expect, it } from "vitest";
import { connectTestProcess, testRedisPrefix } from "../cluster/testing.js";
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

/** The same rules, step for step, in memory and in Redis (which must be running: no skipping). */
const implementations: Array<[string, (clock: () => number) => Promise<LoginThrottle>]> = [
  ["in memory", async (clock) => createLoginThrottle({ clock })],
  [
    "in Redis",
    async (clock) => {
      const { link } = await connectTestProcess(testRedisPrefix());
      return createRedisLoginThrottle(link, { clock, logger: createLogger("silent") });
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

describe("login throttle in Redis", () => {
  it("counts the failures of every process that shares the Redis prefix", async () => {
    const prefix = testRedisPrefix();
    const clock = () => Date.UTC(2025, 0, 1);
    const logger = createLogger("silent");
    const throttles = await Promise.all(
      [0, 1, 2].map(async () => createRedisLoginThrottle((await connectTestProcess(prefix)).link, { clock, logger })),
    );
    for (let i = 0; i < MAX_FAILURES; i++) await throttles[i % 3]?.fail("alice");
    for (const throttle of throttles)
      expect(await throttle.check("alice")).toEqual({ allowed: false, retryAfterMs: BASE_LOCK_MS });
  });
});
