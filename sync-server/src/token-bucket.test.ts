import { describe, expect, it } from "vitest";
import { createTokenBucket } from "./token-bucket.js";

describe("token bucket", () => {
  it("allows a burst, refuses the action after it, and refills with time", () => {
    let t = 0;
    const bucket = createTokenBucket(3, 2, () => t);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    t += 500; // half a second at 2 a second: one token back
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    expect(bucket.full()).toBe(false);
    t += 60_000; // refills up to the burst, never beyond
    expect(bucket.full()).toBe(true);
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false]);
  });
});
