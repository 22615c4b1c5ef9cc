/**
 * The relay's commit: rooms changed during a tick are committed together in ONE store
 * transaction — their updates appended with the next sequence numbers of their
 * documents, new client ids claimed, the message index updated, and the inbox entries
 * those messages change written into the members' inbox documents — and only then fanned
 * out. Commits run one after another: what arrives while one is in flight goes into the
 * next, so no document's updates are stored or sent out of order, however slow a commit.
 */
import { messagesMap, reactionsMap } from "@messenger/shared";
import type { Logger } from "../logger.js";
import { CommitConflict } from "../store/conflict.js";
import type { CommitTx, IndexEntry, IndexResult, ReactionEntry, Store } from "../store/types.js";
import type { RelayMetrics } from "./metrics.js";
import type { Replica } from "./replica.js";
import type { Batch, Room } from "./room.js";

export interface CommitterDeps {
  store: Store;
  logger: Logger;
  metrics: RelayMetrics;
  compactAfter: number;
  /** Writes these summaries and read states into their members' inbox rooms (marking those rooms dirty). */
  writeInboxes(changed: Iterable<IndexResult>): Promise<void>;
  /** The commit that wrote inboxes ended (committed or not). */
  inboxesCommitted(ok: boolean): void;
  /** These conversations changed in a commit that succeeded (their head segment may have moved). */
  conversationsCommitted(changed: Iterable<IndexResult>): void;
  /** Drops a room after a failed commit; `refusedUser` is the user whose write the store refused. */
  fail(room: Room, err: unknown, refusedUser?: string | null): void;
  /** Other processes' commits (a cluster): published after ours, caught up on conflict. */
  replica: Replica;
  compact(room: Room): Promise<void>;
  /** A commit takes the batches applied so far. */
  began(): void;
  /** That commit ended (committed or failed): message ids it held are in the index or gone. */
  committed(): void;
}

export type Committer = ReturnType<typeof createCommitter>;

/** A commit that ended this recently means writes keep coming: group the next one. */
export const BUSY_WINDOW_MS = 20;
/** The longest a write waits for its commit to gather others. */
export const MAX_GROUP_WAIT_MS = 4;

/** A document whose commits lose this many times in a row is dropped (its sockets resync) rather than retried forever. */
export const MAX_CONFLICTS_IN_A_ROW = 50;

const byName = (a: Room, b: Room) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function createCommitter(deps: CommitterDeps) {
  const { store, logger, metrics } = deps;
  const dirty = new Set<Room>();
  /** The next commit's start, when one is scheduled: cancels it. */
  let scheduled: (() => void) | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  /** When the last commit ended, and how long it took (performance.now() ms). */
  let lastEnded = Number.NEGATIVE_INFINITY;
  let lastTook = 0;

  /** A room catching up with other processes' commits waits for it before committing its own. */
  const takeable = (r: Room) => r.catchingUp === null;

  /** Takes the batches of dirty rooms (of one kind, when given) for a commit. */
  const take = (kind?: Room["target"]["kind"]): Array<[Room, Batch]> => {
    // In name order: two processes committing the same documents lock their rows in one order.
    const rooms = [...dirty].filter((r) => takeable(r) && (kind === undefined || r.target.kind === kind)).sort(byName);
    for (const r of rooms) {
      dirty.delete(r);
      r.inCommit++;
    }
    return rooms.map((r): [Room, Batch] => [r, r.takeBatch()]);
  };

  /** Appends, claims and indexes `work` in `tx`; records the conversations it changed in `summaries`. */
  const write = async (tx: CommitTx, work: Array<[Room, Batch]>, summaries: Map<string, IndexResult>) => {
    const entries: IndexEntry[] = [];
    const reactions: ReactionEntry[] = [];
    for (const [r, b] of work) {
      b.firstSeq = r.lastSeq + 1;
      for (const { update } of b.updates) {
        r.lastSeq++;
        r.logLength++;
        await tx.append(r.name, r.lastSeq, update);
      }
      for (const [clientId, userId] of b.claims) await tx.claimClient(r.name, clientId, userId);
      if (r.target.kind === "conversation" && b.keys.size > 0) {
        const map = messagesMap(r.doc);
        // A key written here whose value is now someone else's: another process committed the
        // same id first (caught up since), and yjs' tie-break shows theirs. This write loses.
        for (const [k, writer] of b.writers) {
          const author = map.get(k)?.author;
          if (author !== undefined && author !== writer)
            throw new CommitConflict("message", r.name, writer, `message ${k} was written by another user first`);
        }
        const records = [...b.keys].flatMap((k) => map.get(k) ?? []);
        if (records.length > 0)
          entries.push({ conversationId: r.target.conversationId, segment: r.target.segment, records });
      }
      if (r.target.kind === "conversation" && b.reactions.size > 0) {
        // The keys' current values (a later write in the batch, or another process's, included).
        const map = reactionsMap(r.doc);
        const records = [...b.reactions].flatMap((k) => map.get(k) ?? []);
        if (records.length > 0) reactions.push({ conversationId: r.target.conversationId, records });
      }
    }
    if (reactions.length > 0) await tx.indexReactions(reactions);
    if (entries.length === 0) return;
    for (const [id, indexed] of await tx.indexMessagesBatch(entries)) summaries.set(id, indexed);
  };

  const hasWrites = (work: Array<[Room, Batch]>) =>
    work.some(([, b]) => b.updates.length > 0 || b.claims.length > 0 || b.keys.size > 0 || b.reactions.size > 0);

  async function commitOnce(): Promise<void> {
    deps.began();
    const work = take();
    const started = performance.now();
    const summaries = new Map<string, IndexResult>();
    let error: unknown = null;
    if (hasWrites(work)) {
      try {
        await store.transaction(async (tx) => {
          await write(tx, work, summaries);
          if (summaries.size === 0) return;
          // The inbox entries these messages change go into the same transaction: one commit
          // (one fsync) per tick instead of two, and a failure drops both together.
          await deps.writeInboxes(summaries.values());
          // Only inbox rooms: a conversation written meanwhile goes into the next commit,
          // with its own inbox entries.
          const inboxWork = take("inbox");
          work.push(...inboxWork); // before writing them: on failure these rooms are dropped too
          await write(tx, inboxWork, summaries);
        });
      } catch (err) {
        error = err ?? new Error("commit failed");
        if (err instanceof CommitConflict) logger.debug("commit lost to another process", { err: err.message });
        else logger.error("commit failed", { err: String(err), docs: work.map(([r]) => r.name) });
      }
      metrics.commit(performance.now() - started, error === null);
    }
    deps.committed();
    deps.inboxesCommitted(error === null);
    if (error === null && summaries.size > 0) deps.conversationsCommitted(summaries.values());
    if (error instanceof CommitConflict) return lost(work, error);
    for (const [r, b] of work) {
      r.inCommit--;
      if (error) {
        if (!r.failed) deps.fail(r, error);
      } else {
        r.committedSeq = r.lastSeq;
        r.conflicts = 0;
        r.publish(b);
        deps.replica.published(
          r,
          b.firstSeq,
          b.updates.map((u) => u.update),
          b.claims,
        );
      }
      for (const after of b.after) {
        try {
          after(error);
        } catch (err) {
          logger.error("after-commit callback failed", { err: String(err) });
        }
      }
      if (!error && r.logLength >= deps.compactAfter) void deps.compact(r);
      deps.replica.resume(r);
    }
  }

  /**
   * Another process committed first. A document whose sequence number was taken catches up
   * and commits its batch again; a write the store refused (a client id or message id that
   * another user's commit took) drops its room, closing that user's sockets as refused.
   * The other rooms of the commit are not at fault: their batches go back to be committed again.
   */
  function lost(work: Array<[Room, Batch]>, conflict: CommitConflict): void {
    metrics.commitConflict(conflict.kind);
    const refused = conflict.kind === "sequence" ? null : conflict.doc;
    // Last first: a room in the commit twice (an inbox) gets its batches back in their order.
    for (const [r, b] of [...work].reverse()) {
      r.inCommit--;
      r.lastSeq = r.committedSeq;
      r.logLength -= b.updates.length;
      if (r.failed) {
        for (const after of b.after) after(conflict);
        continue;
      }
      if (r.name === refused) {
        r.restoreBatch(b);
        deps.fail(r, conflict, conflict.userId);
        continue;
      }
      r.restoreBatch(b);
      if (++r.conflicts > MAX_CONFLICTS_IN_A_ROW) {
        logger.error("commit keeps losing to other processes", { doc: r.name });
        deps.fail(r, conflict);
      } else if (conflict.kind === "sequence") void deps.replica.catchUp(r);
    }
  }

  const anyTakeable = () => {
    for (const r of dirty) if (takeable(r)) return true;
    return false;
  };

  async function drain(): Promise<void> {
    while (anyTakeable()) {
      const began = performance.now();
      await commitOnce();
      lastEnded = performance.now();
      lastTook = lastEnded - began;
    }
  }

  const start = () => {
    scheduled = null;
    if (running) return;
    // Cleared in a callback, never inside drain: a drain with nothing to take ends before
    // `running` would be assigned, and must not leave it set for good.
    const current: Promise<void> = drain().finally(() => {
      if (running !== current) return;
      running = null;
      // Marked dirty in the moment between the last check and now: not lost.
      if (!stopped && !scheduled && anyTakeable()) schedule();
    });
    running = current;
  };

  /**
   * Group commit: while writes keep coming (the last commit ended under BUSY_WINDOW_MS ago),
   * the next commit waits until as long as the last one took has passed since it ended
   * (at most MAX_GROUP_WAIT_MS), so one commit carries what arrives meanwhile. It never waits
   * longer than a commit costs; on a quiet server a write commits on the next turn.
   */
  const schedule = () => {
    const since = performance.now() - lastEnded;
    const wait = since < BUSY_WINDOW_MS ? Math.min(lastTook, MAX_GROUP_WAIT_MS) - since : 0;
    if (wait >= 1) {
      const timer = setTimeout(start, wait);
      scheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(start);
      scheduled = () => clearImmediate(immediate);
    }
  };

  return {
    markDirty(room: Room): void {
      dirty.add(room);
      if (!stopped && !running && !scheduled) schedule();
    },

    /** Resolves once everything marked dirty so far is committed (or failed) and fanned out. */
    async settle(): Promise<void> {
      while (dirty.size > 0 || scheduled || running) {
        const waiting = [...dirty].filter((r) => !takeable(r));
        if (waiting.length > 0 && waiting.length === dirty.size && !running) {
          // Only rooms catching up are dirty: they mark themselves dirty again when done.
          await Promise.all(waiting.map((r) => r.catchingUp));
          continue;
        }
        scheduled?.();
        scheduled = null;
        // Stopped (shutting down), nothing starts a commit on its own: start it here.
        if (!running && dirty.size > 0) start();
        await running;
      }
    },

    /** Nothing to commit, nothing scheduled, nothing committing. */
    idle(): boolean {
      return dirty.size === 0 && scheduled === null && running === null;
    },

    /** No more commits are scheduled on their own; `settle` still commits what is dirty. */
    stop(): void {
      stopped = true;
    },
  };
}
