/**
 * Inbox documents: `inbox.<userId>` holds the user's ConversationSummary per
 * conversation, written only by the server, persisted through the same store as every
 * document (so a client's offline copy resyncs cleanly) and sent to connected inbox
 * sockets through the normal commit path.
 *
 * Only inbox rooms that are loaded (someone has the inbox open, or it is loading) are
 * written when a conversation changes; an inbox that is not loaded catches up when it
 * next loads (`fill` writes every summary that differs from the store's). A message to a
 * user who is away then costs no inbox load, write and compaction.
 */
import {
  type ConversationSummary,
  inboxDocName,
  inboxMap,
  inboxReadsMap,
  inboxSettingsMap,
  isAfter,
  type MemberReceipt,
  type ReadState,
} from "@messenger/shared";
import type { Logger } from "../logger.js";
import type { Room } from "../relay/room.js";
import type { ConversationStore, MemberMarks, SettingsStore } from "../store/types.js";

export interface InboxDeps {
  repo: Pick<ConversationStore, "listForUser" | "get" | "readsForUser">;
  settings: Pick<SettingsStore, "readReceipts">;
  /** The room if it is loaded or loading; null otherwise (not loaded for this). */
  ifPresent(name: string): Promise<Room> | null;
  /** Tells the relay the room may unload once idle. */
  release(room: Room): void;
  logger: Logger;
}

export type Inbox = ReturnType<typeof createInbox>;

export function createInbox(deps: InboxDeps) {
  const pending = new Map<string, ConversationSummary>();
  /** Users no longer members who must still hear of a queued conversation (removed from a group). */
  const pendingExtra = new Map<string, Set<string>>();
  let scheduled: NodeJS.Immediate | null = null;
  let flushing: Promise<void> | null = null;
  let closed = false;
  /** Summaries a commit did not write into an inbox that was not loaded: see `committed`. */
  let skipped: Array<[userId: string, summary: ConversationSummary]> = [];

  const write = (room: Room, summaries: ConversationSummary[], reads: Array<[string, ReadState]> = []) => {
    const map = inboxMap(room.doc);
    const changed: ConversationSummary[] = [];
    for (const s of summaries) {
      const shown = map.get(s.id);
      // Summaries from other processes' commits may arrive out of order: never go back.
      if (shown && shown.lastActivityAt > s.lastActivityAt) continue;
      const next = shown?.receipts ? { ...s, receipts: newestReceipts(shown.receipts, s.receipts) } : s;
      if (JSON.stringify(shown) !== JSON.stringify(next)) changed.push(next);
    }
    const readsMap = inboxReadsMap(room.doc);
    const readsChanged = reads.filter(([id, r]) => JSON.stringify(readsMap.get(id)) !== JSON.stringify(r));
    if (changed.length === 0 && readsChanged.length === 0) return;
    room.serverWrite([], () => {
      for (const s of changed) map.set(s.id, s);
      for (const [id, r] of readsChanged) readsMap.set(id, r);
    });
  };

  /** The user's read-receipts setting into their inbox room, when it differs. */
  const writeSetting = (room: Room, readReceipts: boolean) => {
    const map = inboxSettingsMap(room.doc);
    if (map.get("readReceipts") === readReceipts) return;
    room.serverWrite([], () => map.set("readReceipts", readReceipts));
  };

  /** Runs `fn` on the user's inbox room if it is loaded (or loading) here; nothing is loaded for it. */
  const inLoadedInbox = async (userId: string, fn: (room: Room) => void): Promise<void> => {
    const pendingRoom = deps.ifPresent(inboxDocName(userId));
    if (!pendingRoom) return;
    const room = await pendingRoom;
    fn(room);
    deps.release(room);
  };

  /** Writes read states into the inboxes loaded here of the users they belong to. */
  const writeReads = async (marks: MemberMarks[]) => {
    const byUser = new Map<string, Array<[string, ReadState]>>();
    for (const m of marks) {
      const list = byUser.get(m.userId) ?? [];
      list.push([m.conversationId, { unread: m.unread, read: m.read, muted: m.muted }]);
      byUser.set(m.userId, list);
    }
    for (const [userId, reads] of byUser) await inLoadedInbox(userId, (room) => write(room, [], reads));
  };

  /**
   * Writes current summaries into their members' inbox rooms that are loaded (and those of
   * `extra` recipients per conversation); returns the members skipped.
   */
  const writeAll = async (summaries: Iterable<ConversationSummary>, extra?: Map<string, Set<string>>) => {
    const byUser = new Map<string, ConversationSummary[]>();
    for (const s of summaries) {
      for (const userId of new Set([...s.memberIds, ...(extra?.get(s.id) ?? [])])) {
        const list = byUser.get(userId);
        if (list) list.push(s);
        else byUser.set(userId, [s]);
      }
    }
    const missing: Array<[string, ConversationSummary]> = [];
    const present: Array<Promise<Room>> = [];
    for (const [userId, list] of byUser) {
      const room = deps.ifPresent(inboxDocName(userId));
      if (room) present.push(room);
      else for (const s of list) missing.push([userId, s]);
    }
    for (const room of await Promise.all(present)) {
      if (room.target.kind === "inbox") write(room, byUser.get(room.target.userId) ?? []);
      deps.release(room);
    }
    return missing;
  };

  const flush = async () => {
    scheduled = null;
    // Re-read what was queued: a summary may be older than what has committed since
    // (a conversation announced at creation, then seeded with older messages).
    const queued = [...pending.values()];
    const extra = new Map(pendingExtra);
    pending.clear();
    pendingExtra.clear();
    const current = await Promise.all(queued.map(async (q) => (await deps.repo.get(q.id)) ?? q));
    await writeAll(current, extra);
  };

  const start = () => {
    scheduled = null;
    flushing ??= flush()
      .catch((err) => deps.logger.error("inbox write failed", { err: String(err) }))
      .finally(() => {
        flushing = null;
        if (pending.size > 0 && !closed) scheduled ??= setImmediate(start);
      });
  };

  return {
    /**
     * Queues a summary for every member's inbox, and for `alsoTo` (members just removed: their
     * inbox shows they are no longer in it); written on the next tick.
     */
    publish(summary: ConversationSummary, alsoTo: string[] = []): void {
      if (closed) return;
      pending.set(summary.id, summary);
      if (alsoTo.length > 0) {
        const set = pendingExtra.get(summary.id) ?? new Set();
        for (const u of alsoTo) set.add(u);
        pendingExtra.set(summary.id, set);
      }
      if (!flushing) scheduled ??= setImmediate(start);
    },

    /**
     * Summaries another process's commit produced: written as they are (they are as fresh as
     * that commit) into the members' inboxes loaded here, and only those: no read of the
     * store, nothing loaded, when none is.
     */
    committedElsewhere(changed: Array<{ summary: ConversationSummary; marks?: MemberMarks[] }>): void {
      if (closed) return;
      const here = changed.filter((c) => c.summary.memberIds.some((u) => deps.ifPresent(inboxDocName(u)) !== null));
      if (here.length === 0) return;
      void (async () => {
        await writeAll(here.map((c) => c.summary));
        await writeReads(here.flatMap((c) => c.marks ?? []));
      })().catch((err) => deps.logger.error("inbox write failed", { err: String(err) }));
    },

    /** The user changed their read-receipts setting: their inbox, where it is loaded here. */
    writeSetting(userId: string, readReceipts: boolean): Promise<void> {
      return closed ? Promise.resolve() : inLoadedInbox(userId, (room) => writeSetting(room, readReceipts));
    },

    /** A member marked a conversation read or received: their own inbox, where it is loaded here. */
    writeReads(marks: MemberMarks[]): Promise<void> {
      return closed ? Promise.resolve() : writeReads(marks);
    },

    /**
     * Writes summaries into the members' inbox rooms now. The relay calls it inside its
     * commit with summaries fresh from that commit, so a message and the inbox entries it
     * changes share one transaction.
     */
    async writeNow(changed: Iterable<{ summary: ConversationSummary; marks: MemberMarks[] }>): Promise<void> {
      if (closed) return;
      const all = [...changed];
      const list = all.map((c) => c.summary);
      for (const s of list) if (!pendingExtra.has(s.id)) pending.delete(s.id); // superseded
      skipped.push(...(await writeAll(list)));
      await writeReads(all.flatMap((c) => c.marks));
    },

    /**
     * The commit that called writeNow ended. An inbox that began loading meanwhile may have
     * read the conversation list before that commit was visible: its summaries are queued
     * again (re-read, so current) for the next commit.
     */
    committed(ok: boolean): void {
      const recheck = skipped;
      skipped = [];
      if (!ok || closed) return;
      for (const [userId, summary] of recheck) if (deps.ifPresent(inboxDocName(userId))) this.publish(summary);
    },

    /**
     * Brings a loading inbox document up to date with the conversation list, and conversations
     * it still shows that the user is no longer in (removed while away) with their current state.
     */
    async fill(room: Room, userId: string): Promise<void> {
      const [list, reads, readReceipts] = await Promise.all([
        deps.repo.listForUser(userId),
        deps.repo.readsForUser(userId),
        deps.settings.readReceipts(userId),
      ]);
      writeSetting(room, readReceipts);
      const listed = new Set(list.map((s) => s.id));
      const gone: ConversationSummary[] = [];
      for (const [id, shown] of inboxMap(room.doc)) {
        if (listed.has(id) || !shown.memberIds?.includes(userId)) continue;
        const now = await deps.repo.get(id);
        if (now) gone.push(now);
      }
      write(room, [...list, ...gone], [...reads]);
    },

    /** Resolves once everything queued is written into its rooms (not yet committed). */
    async settle(): Promise<void> {
      while (scheduled || flushing) {
        if (scheduled) {
          clearImmediate(scheduled);
          start();
        }
        await flushing;
      }
    },

    /** Drops anything queued; publish does nothing afterwards. */
    close(): void {
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
      pending.clear();
      closed = true;
    },
  };
}

/** Each member's newest marks of two receipt lists (a summary overtaken by an older one keeps what it knew). */
function newestReceipts(shown: MemberReceipt[], next: MemberReceipt[]): MemberReceipt[] {
  const before = new Map(shown.map((r) => [r.userId, r]));
  return next.map((r) => {
    const old = before.get(r.userId);
    if (!old) return r;
    return {
      userId: r.userId,
      delivered: r.delivered && isAfter(r.delivered, old.delivered) ? r.delivered : (old.delivered ?? r.delivered),
      // A read mark turned off (read receipts off) is hidden at once, not kept from before.
      read: r.read === null ? null : isAfter(r.read, old.read) ? r.read : old.read,
    };
  });
}
