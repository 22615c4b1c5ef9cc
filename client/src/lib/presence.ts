/**
 * Presence and the live directory from the inbox socket: MESSAGE_PRESENCE frames (a
 * full snapshot, then coalesced changes, some carrying accounts created or renamed)
 * reduced into one map. Pure; the socket glue lives in sync.ts.
 */
import type { PresenceFrame, UserSummary } from "@messenger/shared";

/** What the directory says about an account: announced by the server on a sign-up or a rename. */
export interface Profile {
  name: string;
  username: string | null;
}

export interface PresenceEntry {
  online: boolean;
  lastSeenAt: number | null;
  /** Set once the server announced the account (a new object per announcement). */
  profile?: Profile;
}
export type PresenceMap = ReadonlyMap<string, PresenceEntry>;

const isUserSummary = (u: unknown): u is UserSummary => {
  if (typeof u !== "object" || u === null) return false;
  const v = u as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.name === "string" &&
    (v.username === null || typeof v.username === "string") &&
    typeof v.online === "boolean" &&
    (v.lastSeenAt === null || typeof v.lastSeenAt === "number")
  );
};

/**
 * Parses a frame's JSON; null when it is not a PresenceFrame (the frame is then ignored).
 * Directory entries that are not a UserSummary are dropped, the rest of the frame kept.
 */
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
  const frame: PresenceFrame = { full: v.full, online: v.online, offline: v.offline as PresenceFrame["offline"] };
  if (Array.isArray(v.users)) {
    const users = v.users.filter(isUserSummary);
    if (users.length > 0) frame.users = users;
  }
  return frame;
}

/**
 * Applies a frame. A full frame says who is online now: everyone else known becomes
 * offline (keeping the last-seen time already known). A change frame touches only the
 * users it names; an announced account gets its profile (and its presence, if none is known).
 */
export function applyPresenceFrame(state: PresenceMap, frame: PresenceFrame): Map<string, PresenceEntry> {
  const next = new Map(state);
  if (frame.full) {
    for (const [id, entry] of next) if (entry.online) next.set(id, { ...entry, online: false });
  }
  for (const id of frame.online) {
    const prev = next.get(id);
    next.set(id, { ...prev, online: true, lastSeenAt: prev?.lastSeenAt ?? null });
  }
  for (const [id, lastSeenAt] of frame.offline) next.set(id, { ...next.get(id), online: false, lastSeenAt });
  for (const u of frame.users ?? []) {
    const prev = next.get(u.id);
    next.set(u.id, {
      online: prev?.online ?? u.online,
      lastSeenAt: prev?.lastSeenAt ?? u.lastSeenAt,
      profile: { name: u.name, username: u.username },
    });
  }
  return next;
}

/** Live presence wins over what a (possibly old) REST listing said. */
export function resolvePresence(live: PresenceMap, userId: string, fallback: PresenceEntry): PresenceEntry {
  return live.get(userId) ?? fallback;
}

/**
 * The accounts announced in `live` that `seen` does not hold yet, as directory entries;
 * adds their profiles to `seen`. Each announcement is a new profile object, so a rename
 * is found again and an unchanged entry never is.
 */
export function newlyAnnounced(live: PresenceMap, seen: WeakSet<Profile>): UserSummary[] {
  const users: UserSummary[] = [];
  for (const [id, entry] of live) {
    if (!entry.profile || seen.has(entry.profile)) continue;
    seen.add(entry.profile);
    users.push({ id, ...entry.profile, online: entry.online, lastSeenAt: entry.lastSeenAt });
  }
  return users;
}
