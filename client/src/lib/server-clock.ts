/**
 * Message times come from this device's clock, and the relay refuses a createdAt more
 * than a day in the future (MAX_CLOCK_SKEW_MS). A device whose clock is far off would
 * have every message refused, so we learn the offset from the server's HTTP `Date`
 * header and stamp messages with server-corrected time. Small offsets are ignored:
 * `Date` has one-second resolution, and the order of one's own messages must not jitter.
 */
export const CLOCK_TOLERANCE_MS = 30_000;
const STORAGE_KEY = "msgr:clock-offset";

/** Server time minus local time, or null when the header says nothing useful. */
export function offsetFrom(dateHeader: string | null, localNow: number): number | null {
  if (!dateHeader) return null;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  // The header truncates to the second: its middle is the best guess.
  const offset = server + 500 - localNow;
  return Math.abs(offset) < CLOCK_TOLERANCE_MS ? 0 : Math.round(offset);
}

function stored(): number {
  try {
    const n = Number(globalThis.localStorage?.getItem(STORAGE_KEY));
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

let offset = stored();

/** Feeds a response's Date header; the offset survives reloads (offline starts too). */
export function observeServerDate(dateHeader: string | null, localNow = Date.now()): void {
  const next = offsetFrom(dateHeader, localNow);
  if (next === null || next === offset) return;
  offset = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, String(offset));
  } catch {
    // storage unavailable: keep it in memory
  }
}

/** Now, by the server's clock as far as we know it. */
export function serverNow(): number {
  return Date.now() + offset;
}
