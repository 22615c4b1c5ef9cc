/**
 * Presence from the inbox socket: MESSAGE_PRESENCE frames (a full snapshot, then
 * coalesced changes) reduced into one map. Pure; the socket glue lives in sync.ts.
 */
import type { PresenceFrame } from "@messenger/shared";

export interface PresenceEntry {
  online: boolean;
  lastSeenAt: number | null;
}
export type PresenceMap = ReadonlyMap<string, PresenceEntry>;

/** Parses a frame's JSON; null when it is not a PresenceFrame (the frame is then ignored). */
export function parsePresenceFrame(json: string): PresenceFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.full !== "boolean" || !Array.isArray(v.online) || !Array.isArray(v.offline)) return null;
  if (!v.online.every((id) => typeof id === "string")) return null;
  const offlineOk = v.offline.every(
    (e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && typeof e[1] === "number",
  );
  if (!offlineOk) return null;
  return v as unknown as PresenceFrame;
}

/**
 * Applies a frame. A full frame says who is online now: everyone else known becomes
 * offline (keeping the last-seen time already known). A change frame touches only the
 * users it names.
 */
export function applyPresenceFrame(state: PresenceMap, frame: PresenceFrame): Map<string, PresenceEntry> {
  const next = new Map(state);
  if (frame.full) {
    for (const [id, entry] of next) if (entry.online) next.set(id, { online: false, lastSeenAt: entry.lastSeenAt });
  }
  for (const id of frame.online) next.set(id, { online: true, lastSeenAt: next.get(id)?.lastSeenAt ?? null });
  for (const [id, lastSeenAt] of frame.offline) next.set(id, { online: false, lastSeenAt });
  return next;
}

/** Live presence wins over what a (possibly old) REST listing said. */
export function resolvePresence(live: PresenceMap, userId: string, fallback: PresenceEntry): PresenceEntry {
  return live.get(userId) ?? fallback;
}
