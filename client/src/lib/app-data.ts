/**
 * Signed-in data shared by every screen: the live inbox (the one subscription for the
 * conversation lists), the people directory with live presence and live sign-ups and
 * renames, a ticking clock, and "New message from X" announcements. Create inside a
 * Solid root; cleans up with it.
 */
import { type ConversationSummary, inboxDocName, inboxMap, SYSTEM_AUTHOR, type UserSummary } from "@messenger/shared";
import { createEffect, createMemo, createSignal, onCleanup, untrack } from "solid-js";
import { ACTIVE_RECHECK_MS, activeConversations, byNewestActivity, peerId } from "./active.js";
import type { Api } from "./api.js";
import { firstName, isGroup, normalizeSummary } from "./groups.js";
import { readJson, userKey, writeJson } from "./local-data.js";
import { newlyAnnounced, type PresenceEntry, type Profile, resolvePresence } from "./presence.js";
import { isUnread, type ReadMarks, withBaseline, withRead } from "./read-state.js";
import { serverNow } from "./server-clock.js";
import { observeType, type Sync } from "./sync.js";

const USER_PAGE_LIMIT = 200;
const MAX_USER_PAGES = 25;
/** How often relative times ("Last seen 2 min ago") are brought up to date. */
export const CLOCK_TICK_MS = 5_000;

export type AppData = ReturnType<typeof createAppData>;

export function createAppData(deps: { api: Api; sync: Sync; userId: string; announce: (text: string) => void }) {
  const { api, sync, userId } = deps;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const cacheKey = (name: string) => userKey(userId, name);

  const inboxName = inboxDocName(userId);
  const inbox = sync.acquire(inboxName, { presence: true });
  onCleanup(() => sync.release(inboxName));
  const inboxVersion = observeType(inboxMap(inbox.doc), onCleanup);

  // Known before the inbox document syncs: cached, fetched, or just created.
  const [fetched, setFetched] = createSignal<ConversationSummary[]>(
    readJson(localStorage, cacheKey("conversations")) ?? [],
  );
  const [created, setCreated] = createSignal<ConversationSummary[]>([]);

  const conversations = createMemo(() => {
    inboxVersion();
    const byId = new Map<string, ConversationSummary>();
    // The inbox is the live copy: on a tie it wins (membership, name and roles change without new activity).
    const add = (stored: ConversationSummary, live = false) => {
      const c = normalizeSummary(stored);
      const seen = byId.get(c.id);
      if (
        !seen ||
        c.lastActivityAt > seen.lastActivityAt ||
        c.headSegment > seen.headSegment ||
        (live && c.lastActivityAt === seen.lastActivityAt && c.headSegment === seen.headSegment)
      )
        byId.set(c.id, c);
    };
    for (const c of fetched()) add(c);
    for (const c of created()) add(c);
    for (const c of inboxMap(inbox.doc).values()) add(c, true);
    return byNewestActivity(byId.values());
  });

  // By the server's clock: "last seen" times are the server's.
  const [now, setNow] = createSignal(serverNow());
  const clock = setInterval(() => setNow(serverNow()), CLOCK_TICK_MS);
  onCleanup(() => clearInterval(clock));
  // The active filter only needs rechecking every ACTIVE_RECHECK_MS, not on every tick.
  const activeCheck = createMemo(() => Math.floor(now() / ACTIVE_RECHECK_MS));
  const active = createMemo(() => {
    activeCheck();
    return activeConversations(conversations(), untrack(now), timeZone);
  });

  const [users, setUsers] = createSignal<ReadonlyMap<string, UserSummary>>(
    new Map((readJson<UserSummary[]>(localStorage, cacheKey("users")) ?? []).map((u) => [u.id, u])),
  );
  const [usersLoaded, setUsersLoaded] = createSignal(users().size > 0);

  function mergeUsers(list: UserSummary[]) {
    setUsers((prev) => {
      const next = new Map(prev);
      for (const u of list) next.set(u.id, u);
      return next;
    });
  }

  const storeUsers = () => writeJson(localStorage, cacheKey("users"), [...untrack(users).values()]);

  let usersLoading: Promise<void> | null = null;
  let loadAgain = false;
  /** Announcements that arrived while a load ran: newer than what it may bring back. */
  let announcedDuringLoad: UserSummary[] | null = null;
  /** Loads the whole directory; a call made while a load runs gets one more load after it. */
  function refreshUsers(): Promise<void> {
    if (usersLoading) {
      loadAgain = true;
      return usersLoading;
    }
    usersLoading = (async () => {
      try {
        do {
          loadAgain = false;
          await loadUsers();
        } while (loadAgain);
      } finally {
        usersLoading = null;
      }
    })();
    return usersLoading;
  }

  async function loadUsers() {
    const all: UserSummary[] = [];
    let cursor: string | undefined;
    announcedDuringLoad = [];
    try {
      for (let page = 0; page < MAX_USER_PAGES; page++) {
        const res = await api.users({ limit: USER_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
        all.push(...res.users);
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      setUsers(new Map([...all, ...announcedDuringLoad].map((u) => [u.id, u])));
    } finally {
      announcedDuringLoad = null;
    }
    setUsersLoaded(true);
    storeUsers();
  }

  // The live directory: sign-ups and renames the server announces on the inbox socket.
  const announcedSeen = new WeakSet<Profile>();
  createEffect(() => {
    const announced = newlyAnnounced(sync.presence(), announcedSeen);
    if (announced.length === 0) return;
    mergeUsers(announced);
    storeUsers();
    announcedDuringLoad?.push(...announced);
  });

  // Nothing is replayed for the time the socket was away: reload the directory on every (re)connect.
  let wasConnected = false;
  createEffect(() => {
    const connected = inbox.connected();
    if (connected && !wasConnected) refreshUsers().catch(() => {});
    wasConnected = connected;
  });

  async function refreshConversations() {
    const res = await api.conversations();
    // The server lists only groups I am in; one I knew and it no longer lists, I was removed from or
    // left: it stays, read-only (the inbox says the same once it loads).
    const listed = new Set(res.conversations.map((c) => c.id));
    setFetched((prev) => [
      ...res.conversations,
      ...prev
        .filter((c) => isGroup(c) && !listed.has(c.id))
        .map((c) => ({ ...c, memberIds: c.memberIds.filter((id) => id !== userId) })),
    ]);
  }

  // Unread: marks per conversation, stored per user; a first start marks everything read.
  const readKey = cacheKey("read");
  const storedMarks = readJson<ReadMarks>(localStorage, readKey);
  const [readMarks, setReadMarks] = createSignal<ReadMarks>(storedMarks ?? {});
  let baselined = storedMarks !== null;
  createEffect(() => {
    const list = conversations();
    // Only once the server's list is in (the local copy may be empty on a first start).
    if (baselined || !inbox.synced()) return;
    baselined = true;
    setReadMarks((m) => withBaseline(m, list));
  });
  createEffect(() => {
    if (baselined) writeJson(localStorage, readKey, readMarks());
  });
  const unread = (c: ConversationSummary) => baselined && isUnread(c, userId, readMarks());
  const unreadCount = createMemo(() => conversations().filter(unread).length);

  // Cache what the lists show, so the next offline start has it.
  createEffect(() => writeJson(localStorage, cacheKey("conversations"), conversations()));

  // Announce messages from others once the inbox has loaded (not the backlog).
  const lastSeen = new Map<string, string>();
  let primed = false;
  createEffect(() => {
    const list = conversations();
    if (!inbox.loaded() && !inbox.synced()) return;
    for (const c of list) {
      const m = c.lastMessage;
      if (!m) continue;
      const before = lastSeen.get(c.id);
      lastSeen.set(c.id, m.id);
      if (primed && before !== m.id && m.authorId !== userId && !m.deleted) {
        if (m.authorId === SYSTEM_AUTHOR) deps.announce(`${c.name ?? "Group"}: ${m.text}`);
        else if (isGroup(c))
          deps.announce(`New message from ${firstName(nameOf(m.authorId))} in ${c.name ?? "a group"}`);
        else deps.announce(`New message from ${nameOf(m.authorId)}`);
      }
    }
    primed = true;
  });

  function nameOf(id: string): string {
    return users().get(id)?.name ?? (id === userId ? "You" : "Someone");
  }

  function presenceOf(id: string): PresenceEntry {
    const u = users().get(id);
    return resolvePresence(sync.presence(), id, { online: u?.online ?? false, lastSeenAt: u?.lastSeenAt ?? null });
  }

  return {
    userId,
    timeZone,
    now,
    conversations,
    active,
    users,
    usersLoaded,
    mergeUsers,
    nameOf,
    presenceOf,
    peerOf: (c: ConversationSummary) => peerId(c, userId),
    unread,
    unreadCount,
    /** The conversation is on screen: everything in it so far is read. */
    markRead(id: string) {
      const c = conversations().find((x) => x.id === id);
      if (c) setReadMarks((m) => withRead(m, c));
    },
    conversation: (id: string) => conversations().find((c) => c.id === id),
    refresh: () => Promise.allSettled([refreshUsers(), refreshConversations()]),
    remember: (c: ConversationSummary) => setCreated((list) => [...list.filter((x) => x.id !== c.id), c]),
    /** The existing conversation with a user, if this browser knows it. */
    conversationWith: (otherId: string) =>
      conversations().find(
        (c) => !isGroup(c) && c.memberIds.length <= 2 && c.memberIds.includes(otherId) && peerId(c, userId) === otherId,
      ),
    inboxSynced: inbox.synced,
  };
}
