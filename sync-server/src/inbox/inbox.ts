/**
 * Inbox documents: `inbox.<userId>` holds the user's ConversationSummary per
 * conversation, written only by the server. Summaries reported in one tick are
 * coalesced, written into each member's inbox room (loaded if needed, persisted
 * through the same store as every document, so a client's offline copy resyncs
 * cleanly) and reach connected inbox sockets through the normal commit path.
 */
import { type ConversationSummary, inboxDocName, inboxMap } from "@messenger/shared";
import type { ConversationRepo } from "../conversations/conversation-repo.js";
import type { Room } from "../relay/room.js";

export interface InboxDeps {
  repo: Pick<ConversationRepo, "listForUser" | "get">;
  /** The loaded room of a document, loading it if needed. */
  room(name: string): Room;
  /** Tells the relay the room may unload once idle. */
  release(room: Room): void;
}

export type Inbox = ReturnType<typeof createInbox>;

export function createInbox(deps: InboxDeps) {
  const pending = new Map<string, ConversationSummary>();
  let scheduled: NodeJS.Immediate | null = null;
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
  const writeAll = (summaries: Iterable<ConversationSummary>) => {
    const byUser = new Map<string, ConversationSummary[]>();
    for (const s of summaries) {
      for (const userId of s.memberIds) {
        const list = byUser.get(userId);
        if (list) list.push(s);
        else byUser.set(userId, [s]);
      }
    }
    for (const [userId, list] of byUser) {
      const room = deps.room(inboxDocName(userId));
      write(room, list);
      deps.release(room);
    }
  };

  const flush = () => {
    scheduled = null;
    // Re-read what was queued: a summary may be older than what has committed since
    // (a conversation announced at creation, then seeded with older messages).
    const current = [...pending.values()].map((q) => deps.repo.get(q.id) ?? q);
    pending.clear();
    writeAll(current);
  };

  return {
    /** Queues a summary for every member's inbox; written on the next tick. */
    publish(summary: ConversationSummary): void {
      if (closed) return;
      pending.set(summary.id, summary);
      scheduled ??= setImmediate(flush);
    },

    /**
     * Writes summaries into the members' inbox rooms now. The relay calls it inside its
     * commit with summaries fresh from that commit, so a message and the inbox entries it
     * changes share one transaction.
     */
    writeNow(summaries: Iterable<ConversationSummary>): void {
      if (closed) return;
      const list = [...summaries];
      for (const s of list) pending.delete(s.id); // superseded
      writeAll(list);
    },

    /** Fills a newly created inbox document from the conversation list. */
    fill(room: Room, userId: string): void {
      write(room, deps.repo.listForUser(userId));
    },

    /** Writes queued summaries now (shutdown). */
    flush(): void {
      if (scheduled) clearImmediate(scheduled);
      flush();
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
