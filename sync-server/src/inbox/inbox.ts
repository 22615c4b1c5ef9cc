/**
 * Inbox documents: `inbox.<userId>` holds the user's ConversationSummary per
 * conversation, written only by the server. Summaries reported in one tick are
 * coalesced, written into each member's inbox room (loaded if needed, persisted
 * through the same store as every document, so a client's offline copy resyncs
 * cleanly) and reach connected inbox sockets through the normal commit path.
 */
import { type ConversationSummary, inboxDocName, inboxMap } from "@messenger/shared";
import type { Logger } from "../logger.js";
import type { Room } from "../relay/room.js";
import type { ConversationStore } from "../store/types.js";

export interface InboxDeps {
  repo: Pick<ConversationStore, "listForUser" | "get">;
  /** The loaded room of a document, loading it if needed. */
  room(name: string): Promise<Room>;
  /** Tells the relay the room may unload once idle. */
  release(room: Room): void;
  logger: Logger;
}

export type Inbox = ReturnType<typeof createInbox>;

export function createInbox(deps: InboxDeps) {
  const pending = new Map<string, ConversationSummary>();
  let scheduled: NodeJS.Immediate | null = null;
  let flushing: Promise<void> | null = null;
  let closed = false;

  const write = (room: Room, summaries: ConversationSummary[]) => {
    const map = inboxMap(room.doc);
    const changed = summaries.filter((s) => JSON.stringify(map.get(s.id)) !== JSON.stringify(s));
    if (changed.length === 0) return;
    room.serverWrite([], () => {
      for (const s of changed) map.set(s.id, s);
    });
  };

  /** Writes current summaries into their members' inbox rooms. */
  const writeAll = async (summaries: Iterable<ConversationSummary>) => {
    const byUser = new Map<string, ConversationSummary[]>();
    for (const s of summaries) {
      for (const userId of s.memberIds) {
        const list = byUser.get(userId);
        if (list) list.push(s);
        else byUser.set(userId, [s]);
      }
    }
    const rooms = await Promise.all([...byUser.keys()].map((userId) => deps.room(inboxDocName(userId))));
    for (const room of rooms) {
      if (room.target.kind === "inbox") write(room, byUser.get(room.target.userId) ?? []);
      deps.release(room);
    }
  };

  const flush = async () => {
    scheduled = null;
    // Re-read what was queued: a summary may be older than what has committed since
    // (a conversation announced at creation, then seeded with older messages).
    const queued = [...pending.values()];
    pending.clear();
    const current = await Promise.all(queued.map(async (q) => (await deps.repo.get(q.id)) ?? q));
    await writeAll(current);
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
    /** Queues a summary for every member's inbox; written on the next tick. */
    publish(summary: ConversationSummary): void {
      if (closed) return;
      pending.set(summary.id, summary);
      if (!flushing) scheduled ??= setImmediate(start);
    },

    /**
     * Writes summaries into the members' inbox rooms now. The relay calls it inside its
     * commit with summaries fresh from that commit, so a message and the inbox entries it
     * changes share one transaction.
     */
    async writeNow(summaries: Iterable<ConversationSummary>): Promise<void> {
      if (closed) return;
      const list = [...summaries];
      for (const s of list) pending.delete(s.id); // superseded
      await writeAll(list);
    },

    /** Fills a newly created inbox document from the conversation list. */
    async fill(room: Room, userId: string): Promise<void> {
      write(room, await deps.repo.listForUser(userId));
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
