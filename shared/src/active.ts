/**
 * "Active" conversations: a message today in the viewer's time zone, or within the last hour.
 * Pure, clock injected, shared by the server's /active route and the client's live list.
 */
export const ACTIVE_WINDOW_MS = 60 * 60 * 1000;

/** Start of the calendar day containing `now` in `timeZone` (IANA name), in ms since epoch. */
export function startOfDay(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(now));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const msIntoDay = ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 + (now % 1000);
  // Subtracting the wall-clock time elapsed today is exact except on a DST change
  // day, where it can be off by the shift; re-check once against the formatter.
  const guess = now - msIntoDay;
  const guessParts = new Intl.DateTimeFormat("en-US", { timeZone, day: "2-digit" }).format(new Date(guess));
  if (Number(guessParts) !== get("day")) return guess + ACTIVE_WINDOW_MS;
  return guess;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function isActive(lastMessageAt: number | null, now: number, timeZone: string): boolean {
  if (lastMessageAt === null) return false;
  return lastMessageAt >= now - ACTIVE_WINDOW_MS || lastMessageAt >= startOfDay(now, timeZone);
}
