/**
 * One loaded document: the Y.Doc (gc on), its awareness (conversation documents
 * only), the open connections, the owners of its Yjs client ids, and the batch of
 * changes applied since the last commit. A class because a room has identity.
 *
 * Changes reach other sockets only through `publish` (called by the relay's flush
 * after the store's transaction holding them committed), so anything a client has
 * ever received is durable.
 */
import { type DocName, inboxMap, inboxReadsMap, inboxSettingsMap, messagesMap, reactionsMap } from "@messenger/shared";
import { Awareness, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import * as Y from "yjs";
import type { StoredDoc } from "../store/types.js";
import type { Connection } from "./connection.js";
import { encodeAwareness, encodeUpdate } from "./protocol.js";

/** Owner recorded in doc_client for the server's own writes (not a valid user id). */
export const SERVER_WRITER = "@server";
const LOADING = Symbol("loading");
/** Origin of updates and awareness committed or published by another process (relay/replica.ts). */
export const REMOTE = Symbol("remote");

/** Updates another process committed as `firstSeq`, `firstSeq + 1`, …, and the client ids they claimed. */
export interface RemoteBatch {
  firstSeq: number;
  updates: Uint8Array[];
  claims: Array<[clientId: number, userId: string]>;
}

export interface Batch {
  updates: Array<{ update: Uint8Array; origin: unknown }>;
  /** Message ids whose value may have changed (conversation documents). */
  keys: Set<string>;
  /** Reaction keys (`<messageId>:<userId>`) whose value may have changed: the commit indexes their records. */
  reactions: Set<string>;
  claims: Array<[clientId: number, userId: string]>;
  /**
   * The user whose socket wrote each key. A commit checks that the key's value is still theirs:
   * after a catch-up, another process's concurrent write of the same key may be the value yjs shows.
   */
  writers: Map<string, string>;
  /** Run after the commit (err null) or after it failed. */
  after: Array<(err: unknown) => void>;
  /** Sequence number of the first update, once a commit has numbered them. */
  firstSeq: number;
}

const emptyBatch = (): Batch => ({
  updates: [],
  keys: new Set(),
  reactions: new Set(),
  claims: [],
  writers: new Map(),
  after: [],
  firstSeq: 0,
});

export class Room {
  readonly doc = new Y.Doc({ gc: true });
  /** Created when the first awareness message arrives (`ensureAwareness`): most rooms never see one. */
  awareness: Awareness | null = null;
  readonly connections = new Set<Connection>();
  readonly clients: Map<number, string>;
  /** Awareness client id → the connection that introduced it. */
  readonly awarenessOwners = new Map<number, Connection>();
  /** Updates in the store's log after the snapshot. */
  logLength: number;
  /** Sequence number of the newest update given to the store (committed or in the commit in flight). */
  lastSeq: number;
  /** Sequence number of the newest committed update. */
  committedSeq: number;
  unloadTimer: NodeJS.Timeout | null = null;
  /** The compaction being written, if any (compactions of one document run one at a time). */
  compaction: Promise<void> | null = null;
  /** Batches taken for a commit that has not ended yet. */
  inCommit = 0;
  /** Dropped after a failed commit: reloaded from the store on next use. */
  failed = false;
  /** Times the room was handed out: an unload that sees it change while it compacts stays its hand. */
  claims = 0;
  /** Counts changes to the document: a judgement made at one version holds while it is unchanged. */
  version = 0;
  /**
   * True while this is segment 0 of a conversation that has no other segment: a new message
   * id cannot live anywhere else, so the index need not be asked. Set when the room loads,
   * cleared for good when a commit moves the head on.
   */
  soleSegment = false;
  /** Updates committed by other processes, waiting to be applied in sequence order (replica.ts). */
  readonly remote: RemoteBatch[] = [];
  /** The read of what other processes committed, while it runs. */
  catchingUp: Promise<void> | null = null;
  /** A catch-up was asked for while a commit was in flight: it runs when the commit ends. */
  needsCatchUp = false;
  /** Commits of this room lost in a row to other processes' (reset by one that succeeds). */
  conflicts = 0;
  /** Callers waiting for that catch-up (released when the room is dropped, too). */
  readonly catchUpWaiters: Array<() => void> = [];
  gapTimer: NodeJS.Timeout | null = null;
  /** Awareness client ids introduced on other processes, and their users. */
  readonly remoteAwareness = new Map<number, string>();
  /** Publishes an awareness change made here to the other processes (with its client ids' owners). */
  awarenessOut: ((update: Uint8Array, owners: Array<[number, string]>) => void) | null = null;
  /** The room's subscription to other processes' messages, closed with the room. */
  following: { close(): void } | null = null;
  private batch: Batch = emptyBatch();
  /** The whole document as one update, kept until it changes (fresh clients all ask for it). */
  private wholeState: Uint8Array | null = null;

  constructor(
    readonly name: string,
    readonly target: DocName,
    stored: StoredDoc,
    private readonly onDirty: (room: Room) => void,
  ) {
    if (target.kind === "conversation") {
      messagesMap(this.doc);
      reactionsMap(this.doc);
    } else {
      inboxMap(this.doc);
      inboxReadsMap(this.doc);
      inboxSettingsMap(this.doc);
    }
    this.logLength = stored.logLength;
    this.lastSeq = stored.lastSeq;
    this.committedSeq = stored.lastSeq;
    this.clients = stored.clients;
    Y.transact(
      this.doc,
      () => {
        for (const u of stored.updates) Y.applyUpdate(this.doc, u, LOADING);
      },
      LOADING,
    );
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      this.wholeState = null;
      this.version++;
      if (origin === LOADING) return;
      // Committed by another process: applyRemote sends the committed bytes to this process's sockets.
      if (origin === REMOTE) return;
      this.batch.updates.push({ update, origin });
      this.onDirty(this);
    });
  }

  /**
   * The room's awareness, created on first use (conversation documents only: inbox
   * documents carry none). Its own timer and listeners cost nothing until someone publishes.
   */
  ensureAwareness(): Awareness | null {
    if (this.awareness || this.target.kind !== "conversation") return this.awareness;
    const awareness = new Awareness(this.doc);
    awareness.setLocalState(null);
    awareness.on("update", ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      const changed = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])];
      if (changed.length === 0) return;
      for (const id of removed ?? []) this.remoteAwareness.delete(id);
      const update = encodeAwarenessUpdate(awareness, changed);
      this.broadcast(encodeAwareness(update));
      if (origin === REMOTE || !this.awarenessOut) return;
      const owners: Array<[number, string]> = [];
      for (const id of changed) {
        const owner = this.awarenessOwners.get(id);
        if (owner) owners.push([id, owner.user.id]);
      }
      this.awarenessOut(update, owners);
    });
    this.awareness = awareness;
    return awareness;
  }

  get hasPending(): boolean {
    const b = this.batch;
    return b.updates.length > 0 || b.after.length > 0 || b.claims.length > 0;
  }

  /** Runs `fn` after the next commit (now-pending changes included). */
  afterCommit(fn: (err: unknown) => void): void {
    this.batch.after.push(fn);
    this.onDirty(this);
  }

  /** Promise form of afterCommit. */
  committed(): Promise<void> {
    return new Promise((resolve, reject) => this.afterCommit((err) => (err ? reject(err) : resolve())));
  }

  /** Records what a validated client update changes, before it is applied. */
  noteClientWrite(userId: string, newClients: number[], keys: string[], reactions: string[] = []): void {
    for (const c of newClients) {
      this.clients.set(c, userId);
      this.batch.claims.push([c, userId]);
    }
    for (const k of keys) {
      this.batch.keys.add(k);
      this.batch.writers.set(k, userId);
    }
    for (const k of reactions) this.batch.reactions.add(k);
  }

  /** Writes on behalf of the server (HTTP posts, seeds, inbox summaries). */
  serverWrite(keys: string[], fn: () => void): void {
    if (this.target.kind === "conversation") {
      // The server's client id must not be one a user owns; claim it so no user can.
      while (this.clients.has(this.doc.clientID) && this.clients.get(this.doc.clientID) !== SERVER_WRITER) {
        this.doc.clientID = Math.floor(Math.random() * 0xffffffff);
      }
      if (!this.clients.has(this.doc.clientID)) this.noteClientWrite(SERVER_WRITER, [this.doc.clientID], []);
    }
    for (const k of keys) this.batch.keys.add(k);
    Y.transact(this.doc, fn, SERVER_WRITER);
    this.onDirty(this);
  }

  /** What a client with `stateVector` lacks: the cached whole state for an empty vector. */
  diff(stateVector: Uint8Array): Uint8Array {
    if (stateVector.length === 1 && stateVector[0] === 0) {
      this.wholeState ??= Y.encodeStateAsUpdate(this.doc);
      return this.wholeState;
    }
    return Y.encodeStateAsUpdate(this.doc, stateVector);
  }

  /**
   * Applies updates another process committed, and sends them on to this process's sockets
   * as committed: not the change they make to this copy, which may hold writes of its own
   * not yet committed (a concurrent write of the same key wins yjs' tie-break here and would
   * go out as a deletion nobody committed).
   */
  applyRemote(updates: Uint8Array[]): void {
    if (updates.length === 0) return;
    Y.transact(
      this.doc,
      () => {
        for (const u of updates) Y.applyUpdate(this.doc, u, REMOTE);
      },
      REMOTE,
    );
    this.broadcast(encodeUpdate(updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates)));
  }

  /** Puts a batch whose commit lost to another process's back in front of what came since. */
  restoreBatch(b: Batch): void {
    const now = this.batch;
    this.batch = {
      updates: [...b.updates, ...now.updates],
      keys: new Set([...b.keys, ...now.keys]),
      reactions: new Set([...b.reactions, ...now.reactions]),
      claims: [...b.claims, ...now.claims],
      writers: new Map([...b.writers, ...now.writers]),
      after: [...b.after, ...now.after],
      firstSeq: 0,
    };
    this.onDirty(this);
  }

  /** Hands the batch to the relay's flush, starting a new one. */
  takeBatch(): Batch {
    const b = this.batch;
    this.batch = emptyBatch();
    return b;
  }

  /** True while nothing is applied that is not committed: the document equals what is stored. */
  get atRest(): boolean {
    return !this.hasPending && this.inCommit === 0;
  }

  /** After the commit: fan the batch's updates out, except back to their origin. */
  publish(batch: Batch): void {
    for (const { update, origin } of batch.updates) {
      const frame = encodeUpdate(update);
      for (const conn of this.connections) if (conn !== origin) conn.send(frame);
    }
  }

  broadcast(frame: Uint8Array): void {
    for (const conn of this.connections) conn.send(frame);
  }

  /**
   * The snapshot that folds the log, and the sequence number it covers; null when there is
   * nothing to fold or the document holds changes not yet committed.
   */
  snapshot(): { data: Uint8Array; throughSeq: number } | null {
    if (!this.atRest || this.logLength === 0 || this.failed) return null;
    this.logLength = 0;
    return { data: Y.encodeStateAsUpdate(this.doc), throughSeq: this.committedSeq };
  }

  /** Removes a connection's awareness states and bindings. */
  dropAwareness(conn: Connection): void {
    const ids = [...conn.awarenessIds].filter((id) => this.awarenessOwners.get(id) === conn);
    for (const id of ids) this.awarenessOwners.delete(id);
    conn.awarenessIds.clear();
    if (this.awareness && ids.length > 0) removeAwarenessStates(this.awareness, ids, null);
  }

  destroy(): void {
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.following?.close();
    this.following = null;
    for (const resolve of this.catchUpWaiters.splice(0)) resolve();
    this.awareness?.destroy();
    this.doc.destroy();
  }
}
