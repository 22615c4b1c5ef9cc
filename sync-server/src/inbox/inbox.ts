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
import { type ConversationSummary, inboxDocName, inboxMap } from "@messenger/shared";
import type { Logger } from "../logger.js";
import type { Room } from "../relay/room.js";
import type { ConversationStore } from "../store/types.js";

export interface InboxDeps {
  repo: Pick<ConversationStore, "listForUser" | "get">;
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

  const write = (room: Room, summaries: ConversationSummary[]) => {
    const map = inboxMap(room.doc);
    const changed = summaries.filter((s) => {
      const shown = map.get(s.id);
      // Summaries from other processes' commits may arrive out of order: never go back.
      if (shown && shown.lastActivityAt > s.lastActivityAt) return false;
      return JSON.stringify(shown) !== JSON.stringify(s);
    });
    if (changed.length === 0) return;
    room.serverWrite([], () => {
      for (const s of changed) map.set(s.id, s);
    });
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
    committedElsewhere(summaries: ConversationSummary[]): void {
      if (closed) return;
      const here = summaries.filter((s) => s.memberIds.some((u) => deps.ifPresent(inboxDocName(u)) !== null));
      if (here.length > 0)
        void writeAll(here).catch((err) => deps.logger.error("inbox write failed", { err: String(err) }));
    },

    /**
     * Writes summaries into the members' inbox rooms now. The relay calls it inside its
     * commit with summaries fresh from that commit, so a message and the inbox entries it
     * changes share one transaction.
     */
    async writeNow(summaries: Iterable<ConversationSummary>): Promise<void> {
      if (closed) return;
      const list = [...summaries];
      for (const s of list) if (!pendingExtra.has(s.id)) pending.delete(s.id); // superseded
      skipped.push(...(await writeAll(list)));
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
      const list = await deps.repo.listForUser(userId);
      const listed = new Set(list.map((s) => s.id));
      const gone: ConversationSummary[] = [];
      for (const [id, shown] of inboxMap(room.doc)) {
        if (listed.has(id) || !shown.memberIds?.includes(userId)) continue;
        const now = await deps.repo.get(id);
        if (now) gone.push(now);
      }
      write(room, [...list, ...gone]);
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
