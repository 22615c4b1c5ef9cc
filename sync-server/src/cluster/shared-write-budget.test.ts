import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { createSharedWriteBudget } from "./shared-write-budget.js";
import { connectTestProcess, testRedisPrefix, waitUntil } from "./testing.js";

async function budgetOn(prefix: string, burst = 10, perSecond = 1) {
  const { link, bus } = await connectTestProcess(prefix);
  const budget = createSharedWriteBudget({ link, bus, logger: createLogger("silent"), burst, perSecond });
  return { budget, link };
}

/** Takes one at a time until refused; how many were granted. */
const drain = (budget: { take(userId: string): boolean }, userId: string, max = 100) => {
  let granted = 0;
  while (granted < max && budget.take(userId)) granted++;
  return granted;
};

describe("write budget shared by processes", () => {
  it("refuses a user on every process once one process spent the user's budget", async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await budgetOn(prefix), await budgetOn(prefix)];
    expect(drain(a.budget, "alice")).toBe(10);
    // Charged in the background, then the block goes out on the bus.
    await waitUntil(() => !b.budget.available("alice"));
    expect(b.budget.take("alice")).toBe(false);
    expect(b.budget.take("bob")).toBe(true);
  });

  it("writes spread over processes are charged together, so together they get one budget", async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await budgetOn(prefix), await budgetOn(prefix)];
    let granted = 0;
    // One write at a time, alternating, each charged before the next: a user moving between processes.
    for (let i = 0; i < 30; i++) {
      const budget = i % 2 === 0 ? a.budget : b.budget;
      if (budget.take("alice")) granted++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // One budget (two would grant 20), give or take a write that raced its block's round trip.
    expect(granted).toBeGreaterThanOrEqual(10);
    expect(granted).toBeLessThanOrEqual(12);
  });

  it("a batch larger than what is left still goes through once, then the user waits", async () => {
    const prefix = testRedisPrefix();
    const { budget } = await budgetOn(prefix);
    expect(budget.take("alice", 25)).toBe(true);
    expect(budget.take("alice")).toBe(false);
  });

  it("keeps limiting in each process when Redis stops answering", async () => {
    const prefix = testRedisPrefix();
    const { budget, link } = await budgetOn(prefix);
    link.client.disconnect();
    expect(drain(budget, "alice")).toBe(10);
  });
});
