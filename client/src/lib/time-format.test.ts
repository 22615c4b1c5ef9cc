import { describe, expect, it } from "vitest";
import { dayKey, formatAgo, formatDayLabel, formatListTime, presenceText } from "./time-format.js";

const opts = { locale: "en-US", timeZone: "Europe/Berlin" };
// 2024-05-15 12:00 in Berlin (UTC+2).
const NOW = Date.UTC(2024, 4, 15, 10, 0, 0);
const MIN = 60_000;

describe("formatAgo", () => {
  it("says just now under a minute", () => {
    expect(formatAgo(NOW - 30_000, NOW, opts)).toBe("just now");
  });
  it("counts minutes under an hour", () => {
    expect(formatAgo(NOW - 5 * MIN, NOW, opts)).toBe("5 min ago");
  });
  it("counts hours on the same day", () => {
    expect(formatAgo(NOW - 3 * 60 * MIN, NOW, opts)).toBe("3 h ago");
  });
  it("says yesterday with the time for the previous calendar day", () => {
    // 23:30 Berlin the day before, only 12.5 hours earlier.
    expect(formatAgo(Date.UTC(2024, 4, 14, 21, 30), NOW, opts)).toBe("yesterday at 11:30 PM");
  });
  it("counts days within a week", () => {
    expect(formatAgo(NOW - 4 * 24 * 60 * MIN, NOW, opts)).toBe("4 days ago");
  });
  it("never goes negative when the other clock is ahead", () => {
    expect(formatAgo(NOW + 10_000, NOW, opts)).toBe("just now");
  });
});

describe("presenceText", () => {
  it("says Online for an online user whatever their last-seen time", () => {
    expect(presenceText(true, NOW - 100 * MIN, NOW, opts)).toBe("Online");
  });
  it("says Never seen when there is no last-seen time", () => {
    expect(presenceText(false, null, NOW, opts)).toBe("Never seen");
  });
  it("prefixes the relative time with Last seen", () => {
    expect(presenceText(false, NOW - 5 * MIN, NOW, opts)).toBe("Last seen 5 min ago");
  });
});

describe("day labels", () => {
  it("uses the time zone to decide the calendar day", () => {
    const lateUtc = Date.UTC(2024, 4, 14, 23, 0); // already May 15 in Berlin
    expect(dayKey(lateUtc, opts)).toBe("2024-05-15");
    expect(dayKey(lateUtc, { timeZone: "UTC" })).toBe("2024-05-14");
  });
  it("labels today, yesterday, weekdays and older dates", () => {
    expect(formatDayLabel(NOW - 60 * MIN, NOW, opts)).toBe("Today");
    expect(formatDayLabel(NOW - 24 * 60 * MIN, NOW, opts)).toBe("Yesterday");
    expect(formatDayLabel(Date.UTC(2024, 4, 12, 10), NOW, opts)).toBe("Sunday");
    expect(formatDayLabel(Date.UTC(2024, 2, 3, 10), NOW, opts)).toBe("March 3");
    expect(formatDayLabel(Date.UTC(2022, 2, 3, 10), NOW, opts)).toBe("March 3, 2022");
  });
  it("shows a time for today and a short date for older list rows", () => {
    expect(formatListTime(NOW - 5 * MIN, NOW, opts)).toBe("11:55 AM");
    expect(formatListTime(Date.UTC(2024, 2, 3, 10), NOW, opts)).toBe("Mar 3");
  });
});
