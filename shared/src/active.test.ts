import { describe, expect, it } from "vitest";
import { isActive, isValidTimeZone, startOfDay } from "./active.js";

const at = (iso: string) => Date.parse(iso);

describe("active conversations", () => {
  it("counts a message within the last hour as active even if it was yesterday", () => {
    expect(isActive(at("2026-11-25T23:40:00Z"), at("2026-11-26T00:20:00Z"), "UTC")).toBe(true);
  });

  it("counts a message earlier today as active", () => {
    expect(isActive(at("2026-11-26T01:00:00Z"), at("2026-11-26T22:00:00Z"), "UTC")).toBe(true);
  });

  it("does not count a message from yesterday older than an hour", () => {
    expect(isActive(at("2026-11-25T20:00:00Z"), at("2026-11-26T09:00:00Z"), "UTC")).toBe(false);
  });

  it("uses the viewer's time zone to decide what today is", () => {
    // 23:30 UTC on the 25th is already the 26th in Tokyo (UTC+9); at 08:00 UTC on the 26th it is
    // "today" there, but in UTC and New York it is yesterday's and more than an hour old.
    const message = at("2026-11-25T23:30:00Z");
    const now = at("2026-11-26T08:00:00Z");
    expect(isActive(message, now, "Asia/Tokyo")).toBe(true);
    expect(isActive(message, now, "America/New_York")).toBe(false);
    expect(isActive(message, now, "UTC")).toBe(false);
  });

  it("keeps an evening message active in a zone behind UTC after UTC midnight", () => {
    // 23:00 UTC on the 25th is 18:00 in New York; at 03:30 UTC it is still the 25th there.
    const message = at("2026-11-25T23:00:00Z");
    const now = at("2026-11-26T03:30:00Z");
    expect(isActive(message, now, "America/New_York")).toBe(true);
    expect(isActive(message, now, "UTC")).toBe(false);
  });

  it("treats a conversation without messages as inactive", () => {
    expect(isActive(null, Date.now(), "UTC")).toBe(false);
  });

  it("finds midnight in a zone with a DST change that day", () => {
    // Europe/Berlin switched to summer time on 2026-03-29 at 02:00 local.
    const now = at("2026-03-29T12:00:00Z");
    expect(new Date(startOfDay(now, "Europe/Berlin")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
  });

  it("validates time zone names", () => {
    expect(isValidTimeZone("Europe/Paris")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });
});
