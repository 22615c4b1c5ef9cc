/**
 * Dates and times for people, with Intl only (no date library). Every function takes
 * the clock and, where it matters, the locale and time zone, so tests are deterministic.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface FormatOptions {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function dateFormat(options: Intl.DateTimeFormatOptions, { locale, timeZone }: FormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([locale, timeZone, options]);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** "2024-05-01" for the calendar day of `at` in the time zone; comparable as a string. */
export function dayKey(at: number, opts: FormatOptions = {}): string {
  const parts = dateFormat(
    { year: "numeric", month: "2-digit", day: "2-digit" },
    { ...opts, locale: "en-US" },
  ).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Whole calendar days from `at` to `now` (0 = same day). */
export function calendarDaysBetween(at: number, now: number, opts: FormatOptions = {}): number {
  const toUtcDay = (key: string) =>
    Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, Number(key.slice(8, 10)));
  return Math.round((toUtcDay(dayKey(now, opts)) - toUtcDay(dayKey(at, opts))) / DAY_MS);
}

/** "14:05" / "2:05 PM", as the locale writes a time. */
export function formatTime(at: number, opts: FormatOptions = {}): string {
  return dateFormat({ hour: "numeric", minute: "2-digit" }, opts).format(at);
}

/** A day separator: "Today", "Yesterday", "Monday" within a week, else "March 3" or "March 3, 2022". */
export function formatDayLabel(at: number, now: number, opts: FormatOptions = {}): string {
  const days = calendarDaysBetween(at, now, opts);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return dateFormat({ weekday: "long" }, opts).format(at);
  const sameYear = dayKey(at, opts).slice(0, 4) === dayKey(now, opts).slice(0, 4);
  return dateFormat(
    sameYear ? { month: "long", day: "numeric" } : { year: "numeric", month: "long", day: "numeric" },
    opts,
  ).format(at);
}

/** Short time for a list row: the time today, "Yesterday", a weekday this week, else a short date. */
export function formatListTime(at: number, now: number, opts: FormatOptions = {}): string {
  const days = calendarDaysBetween(at, now, opts);
  if (days <= 0) return formatTime(at, opts);
  if (days === 1) return "Yesterday";
  if (days < 7) return dateFormat({ weekday: "short" }, opts).format(at);
  return dateFormat({ month: "short", day: "numeric" }, opts).format(at);
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or a date beyond a week. */
export function formatAgo(at: number, now: number, opts: FormatOptions = {}): string {
  const elapsed = Math.max(0, now - at);
  if (elapsed < MINUTE_MS) return "just now";
  if (elapsed < HOUR_MS) return `${Math.floor(elapsed / MINUTE_MS)} min ago`;
  const days = calendarDaysBetween(at, now, opts);
  if (days === 0) return `${Math.floor(elapsed / HOUR_MS)} h ago`;
  if (days === 1) return `yesterday at ${formatTime(at, opts)}`;
  if (days < 7) return `${days} days ago`;
  return `on ${formatDayLabel(at, now, opts)}`;
}

/** The presence line under a name: "Online", "Last seen 5 min ago" or "Never seen". */
export function presenceText(
  online: boolean,
  lastSeenAt: number | null,
  now: number,
  opts: FormatOptions = {},
): string {
  if (online) return "Online";
  if (lastSeenAt === null) return "Never seen";
  return `Last seen ${formatAgo(lastSeenAt, now, opts)}`;
}
