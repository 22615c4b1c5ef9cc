/** The people directory as the People screen shows it: search and order. */
import type { UserSummary } from "@messenger/shared";
import type { PresenceEntry } from "./presence.js";

/** Case-insensitive match on name or username; an empty query matches everyone. */
export function matchesQuery(u: UserSummary, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return u.name.toLowerCase().includes(needle) || (u.username ?? "").toLowerCase().includes(needle);
}

/** Everyone but me matching the query: online first, then most recently seen, then by name. */
export function peopleList(
  users: Iterable<UserSummary>,
  me: string,
  query: string,
  presenceOf: (id: string) => PresenceEntry,
): UserSummary[] {
  const list = Array.from(users).filter((u) => u.id !== me && matchesQuery(u, query));
  const p = new Map(list.map((u) => [u.id, presenceOf(u.id)]));
  const online = (u: UserSummary) => Number(p.get(u.id)?.online ?? false);
  const seen = (u: UserSummary) => p.get(u.id)?.lastSeenAt ?? 0;
  return list.sort((a, b) => online(b) - online(a) || seen(b) - seen(a) || a.name.localeCompare(b.name));
}
