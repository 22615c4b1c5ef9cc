/**
 * Signed-in data shared by every screen: the live inbox (the one subscription for the
 * conversation lists), the people directory with live presence and live sign-ups and
 * renames, a ticking clock, and "New message from X" announcements. Create inside a
 * Solid root; cleans up with it.
 */
import {
  type ConversationSummary,
  inboxDocName,
  inboxMap,
  inboxReadsMap,
  inboxSettingsMap,
  type MessageMark,
  SYSTEM_AUTHOR,
  type UserSummary,
} from "@messenger/shared";
import { createEffect, createMemo, createSignal, onCleanup, untrack } from "solid-js";
import { ACTIVE_RECHECK_MS, activeConversations, byNewestActivity, peerId } from "./active.js";
import type { Api } from "./api.js";
import { firstName, isGroup, normalizeSummary } from "./groups.js";
import { readJson, userKey, writeJson } from "./local-data.js";
import { createMarkQueue } from "./mark-queue.js";
import { createMute } from "./mute.js";
import { newlyAnnounced, type PresenceEntry, type Profile, resolvePresence } from "./presence.js";
import { createReadReceiptsSetting } from "./read-receipts-setting.js";
import { serverNow } from "./server-clock.js";
import { observeType, type Sync } from "./sync.js";
import { covers, markOf, showAppBadge, unreadOf } from "./unread.js";

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

  // Unread counts and read marks: the server's, in the inbox (live, and offline from the local copy).
  const readsVersion = observeType(inboxReadsMap(inbox.doc), onCleanup);
  const readState = (id: string) => {
    readsVersion();
    return inboxReadsMap(inbox.doc).get(id);
  };
  const myReceipt = (id: string) =>
    conversations()
      .find((c) => c.id === id)
      ?.receipts.find((r) => r.userId === userId);
  const marks = createMarkQueue({
    api,
    userId,
    // The delivery mark moves with the read mark; my own receipt's read may be hidden (receipts off).
    confirmed: (id, kind) =>
      untrack(() => {
        const read = readState(id)?.read ?? null;
        if (kind === "read") return read;
        const delivered = myReceipt(id)?.delivered ?? null;
        return read && !covers(delivered, read) ? read : delivered;
      }),
  });
  const mute = createMute({ api, readState });
  // Once my inbox shows a mute I asked for, it is the inbox's again (another device may change it).
  createEffect(() => {
    for (const c of conversations()) mute.settle(c.id);
  });
  const unread = (c: ConversationSummary) => unreadOf(readState(c.id), marks.pendingRead(c.id), c.lastMessage);
  const unreadCount = createMemo(() => conversations().reduce((n, c) => n + unread(c), 0));
  createEffect(() => showAppBadge(unreadCount()));
  createEffect(() => {
    if (inbox.connected()) marks.flushSoon();
  });
  // Delivered: the inbox brought this device a message by someone else (its summary carries the
  // text, as a notification does): tell the server, for the author's two ticks.
  createEffect(() => {
    const list = conversations();
    if (!inbox.loaded() && !inbox.synced()) return;
    for (const c of list) {
      const m = c.lastMessage;
      if (!m || m.authorId === userId || m.authorId === SYSTEM_AUTHOR || m.deleted) continue;
      untrack(() => marks.mark(c.id, "delivered", markOf(m)));
    }
  });
  const readReceiptsSetting = createReadReceiptsSetting({ api, userId });
  createEffect(() => {
    if (inbox.connected()) readReceiptsSetting.refresh().catch(() => {});
  });
  // A change made on another device arrives live in my inbox.
  const settingsVersion = observeType(inboxSettingsMap(inbox.doc), onCleanup);
  createEffect(() => {
    settingsVersion();
    const on = inboxSettingsMap(inbox.doc).get("readReceipts");
    if (typeof on === "boolean") untrack(() => readReceiptsSetting.heard(on));
  });

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
    /** Messages by others I have not read in a conversation (0 at once when read here). */
    unread,
    /** Unread messages in all conversations: the title and the app badge. */
    unreadCount,
    /** Messages up to `mark` were on screen: read (sent to the server, newest wins). */
    markRead: (id: string, mark: MessageMark) => marks.mark(id, "read", mark),
    /** I muted the conversation (on any device): no notifications; it still counts unread. */
    muted: mute.muted,
    setMuted: mute.set,
    /** My read mark in a conversation, as far as this device knows (a pending one included). */
    readMark: (id: string): MessageMark | null => marks.pendingRead(id) ?? readState(id)?.read ?? null,
    /** Off: I do not send read receipts, and I do not see others'. */
    readReceipts: readReceiptsSetting.readReceipts,
    setReadReceipts: readReceiptsSetting.set,
    refreshSettings: readReceiptsSetting.refresh,
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
