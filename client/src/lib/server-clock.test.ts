import { describe, expect, it } from "vitest";
import { observeServerDate, offsetFrom, serverNow } from "./server-clock.js";

const local = Date.parse("2026-11-26T12:00:00.000Z");

describe("server clock", () => {
  it("ignores the small differences a one-second Date header cannot resolve", () => {
    expect(offsetFrom("Thu, 26 Nov 2026 12:00:03 GMT", local)).toBe(0);
    expect(offsetFrom("Thu, 26 Nov 2026 11:59:40 GMT", local)).toBe(0);
  });

  it("measures a device clock that is far off, in either direction", () => {
    // The device thinks it is two days later than the server does.
    expect(offsetFrom("Tue, 24 Nov 2026 12:00:00 GMT", local)).toBe(-2 * 86_400_000 + 500);
    expect(offsetFrom("Thu, 26 Nov 2026 13:00:00 GMT", local)).toBe(3_600_000 + 500);
  });

  it("learns nothing from a missing or malformed header", () => {
    expect(offsetFrom(null, local)).toBeNull();
    expect(offsetFrom("yesterday-ish", local)).toBeNull();
  });

  it("stamps with corrected time once it has seen the server's date", () => {
    observeServerDate(new Date(Date.now() + 3 * 86_400_000).toUTCString());
    expect(serverNow() - Date.now()).toBeGreaterThan(3 * 86_400_000 - 2000);
    observeServerDate(new Date().toUTCString());
    expect(Math.abs(serverNow() - Date.now())).toBeLessThan(1000);
  });
});
