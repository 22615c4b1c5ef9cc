import { describe, expect, it } from "vitest";
import { jitteredBackoff, MAX_BACKOFF_MS } from "./backoff.js";

describe("jitteredBackoff", () => {
  it("doubles the wait with each failure", () => {
    expect(jitteredBackoff(1, () => 1)).toBe(200);
    expect(jitteredBackoff(2, () => 1)).toBe(400);
    expect(jitteredBackoff(3, () => 1)).toBe(800);
  });

  it("never waits longer than the cap", () => {
    expect(jitteredBackoff(40, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  it("spreads clients over half to all of the wait", () => {
    expect(jitteredBackoff(3, () => 0)).toBe(400);
    expect(jitteredBackoff(40, () => 0)).toBe(MAX_BACKOFF_MS / 2);
  });
});
