import { describe, expect, it } from "vitest";
import { createFrameBudget } from "./frame-budget.js";

describe("frame budget", () => {
  it("allows a burst, refuses the frame after it, and refills with time", () => {
    let t = 0;
    const budget = createFrameBudget(3, 2, () => t);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    t += 500; // half a second at 2 a second: one token back
    expect([budget.take(), budget.take()]).toEqual([true, false]);
    t += 60_000; // refills up to the burst, never beyond
    expect(Array.from({ length: 4 }, () => budget.take())).toEqual([true, true, true, false]);
  });
});
