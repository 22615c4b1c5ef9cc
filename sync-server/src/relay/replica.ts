/**
 * Keeps each loaded room in step with the other processes of a cluster (REDIS_URL). Any
 * process accepts writes to any document; the database decides between them (store/
 * conflict.ts): a commit that finds its document's next sequence number taken catches up
 * and commits again. What this module adds:
 *
 *  - After a commit, the committed updates of each document are published on the bus
 *    (topic `doc:<name>`) with their first sequence number and the client-id claims they made.
 *  - A process with the document loaded applies them in sequence order and sends them to its
 *    own sockets (they are committed already). A gap (a message lost or overtaken) waits
 *    GAP_WAIT_MS for the missing message, then is filled from the store; so is everything
 *    after the bus reconnects.
 *  - A room is never caught up while a commit of it is in flight, nor committed while it
 *    catches up, so its sequence numbers stay exact.
 *  - Awareness (typing) crosses processes on the same topic, with the owner of each client id,
 *    so no socket elsewhere can take over another user's awareness id.
 *
 * With the single-process bus every method does nothing.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { applyAwarenessUpdate } from "y-protocols/awareness";
import type { ClusterBus, Subscription } from "../cluster/bus.js";
import type { Logger } from "../logger.js";
import type { Store } from "../store/types.js";
import { REMOTE, type RemoteBatch, type Room } from "./room.js";

/** How long a gap in a document's sequence waits for the message that fills it before asking the store. */
export const GAP_WAIT_MS = 50;

const KIND_UPDATES = 0;
const KIND_AWARENESS = 1;

const topicOf = (doc: string) => `doc:${doc}`;

export interface ReplicaDeps {
  bus: ClusterBus;
  store: Store;
  logger: Logger;
  /** The room has changes of its own waiting: commit it (after a catch-up held it back). */
  markDirty(room: Room): void;
}

/** Messages received for a document before its room exists (it is loading). */
export interface Following {
  readonly ready: Promise<void>;
  /** Hands the messages received so far to the room and routes later ones to it. */
  attach(room: Room): void;
  close(): void;
}

export type Replica = ReturnType<typeof createReplica>;

export function createReplica(deps: ReplicaDeps) {
  const { bus, store, logger } = deps;
  const clustered = bus.kind !== "single";

  const decode = (payload: Uint8Array): { kind: number; batch?: RemoteBatch; awareness?: AwarenessMessage } => {
    const d = decoding.createDecoder(payload);
    const kind = decoding.readVarUint(d);
    if (kind === KIND_UPDATES) {
      const firstSeq = decoding.readVarUint(d);
      const updates: Uint8Array[] = [];
      for (let n = decoding.readVarUint(d); n > 0; n--) updates.push(decoding.readVarUint8Array(d));
      const claims: Array<[number, string]> = [];
      for (let n = decoding.readVarUint(d); n > 0; n--)
        claims.push([decoding.readVarUint(d), decoding.readVarString(d)]);
      return { kind, batch: { firstSeq, updates, claims } };
    }
    const owners: Array<[number, string]> = [];
    for (let n = decoding.readVarUint(d); n > 0; n--) owners.push([decoding.readVarUint(d), decoding.readVarString(d)]);
    return { kind, awareness: { owners, update: decoding.readVarUint8Array(d) } };
  };

  /** Applies what the room has queued, in sequence order, as far as it is contiguous. */
  const integrate = (room: Room): void => {
    if (room.inCommit > 0 || room.catchingUp || room.failed) return;
    while (room.remote.length > 0) {
      const batch = room.remote[0] as RemoteBatch;
      const last = batch.firstSeq + batch.updates.length - 1;
      if (last <= room.committedSeq) {
        room.remote.shift();
        continue;
      }
      if (batch.firstSeq > room.committedSeq + 1) {
        // Overtaken (another process published later but arrived first) or lost: wait a little.
        room.gapTimer ??= setTimeout(() => {
          room.gapTimer = null;
          void catchUp(room);
        }, GAP_WAIT_MS);
        return;
      }
      room.remote.shift();
      for (const [clientId, userId] of batch.claims) room.clients.set(clientId, userId);
      room.applyRemote(batch.updates.slice(room.committedSeq + 1 - batch.firstSeq));
      room.logLength += last - room.committedSeq;
      room.committedSeq = last;
      room.lastSeq = last;
    }
    if (room.gapTimer) {
      clearTimeout(room.gapTimer);
      room.gapTimer = null;
    }
  };

  /**
   * Reads what the store holds past the room's committed sequence and applies it. Held back
   * while a commit of the room is in flight (`resume` runs it when that commit ends). Works
   * without a bus too: processes sharing a database without Redis still never lose a write.
   */
  const catchUp = (room: Room): Promise<void> => {
    if (room.failed) return Promise.resolve();
    if (room.catchingUp) return room.catchingUp;
    if (room.inCommit > 0) {
      room.needsCatchUp = true;
      return new Promise((resolve) => room.catchUpWaiters.push(resolve));
    }
    room.needsCatchUp = false;
    if (room.gapTimer) {
      clearTimeout(room.gapTimer);
      room.gapTimer = null;
    }
    const run = (async () => {
      try {
        const tail = await store.docs.since(room.name, room.committedSeq);
        if (room.failed) return;
        for (const [clientId, userId] of tail.clients) room.clients.set(clientId, userId);
        if (tail.lastSeq > room.committedSeq) {
          room.applyRemote(tail.updates);
          room.logLength += tail.lastSeq - room.committedSeq;
          room.committedSeq = tail.lastSeq;
          room.lastSeq = tail.lastSeq;
        }
      } catch (err) {
        logger.warn("catching up a document failed", { doc: room.name, err: String(err) });
        room.needsCatchUp = true;
      } finally {
        room.catchingUp = null;
        for (const resolve of room.catchUpWaiters.splice(0)) resolve();
      }
      integrate(room);
      if (room.hasPending) deps.markDirty(room);
    })();
    room.catchingUp = run;
    return run;
  };

  return {
    clustered,

    /**
     * Subscribes to the document's messages before it is read from the store (`ready`), so
     * nothing committed elsewhere between the read and the subscription is missed; what
     * arrives meanwhile is kept for the room.
     */
    follow(name: string): Following | null {
      if (!clustered) return null;
      let room: Room | null = null;
      const early: Uint8Array[] = [];
      const receive = (payload: Uint8Array) => {
        if (!room) {
          early.push(payload);
          return;
        }
        try {
          const message = decode(payload);
          if (message.batch) {
            room.remote.push(message.batch);
            integrate(room);
          } else if (message.awareness) applyRemoteAwareness(room, message.awareness);
        } catch (err) {
          logger.error("bad cluster message", { doc: name, err: String(err) });
        }
      };
      const subscription: Subscription = bus.subscribe(topicOf(name), receive);
      return {
        ready: subscription.ready,
        attach(r) {
          room = r;
          for (const payload of early.splice(0)) receive(payload);
        },
        close: () => subscription.close(),
      };
    },

    /** Publishes updates the room just committed as `firstSeq`, `firstSeq + 1`, … with the claims they made. */
    published(room: Room, firstSeq: number, updates: Uint8Array[], claims: Array<[number, string]>): void {
      if (!clustered || (updates.length === 0 && claims.length === 0)) return;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, KIND_UPDATES);
      encoding.writeVarUint(e, firstSeq);
      encoding.writeVarUint(e, updates.length);
      for (const u of updates) encoding.writeVarUint8Array(e, u);
      encoding.writeVarUint(e, claims.length);
      for (const [clientId, userId] of claims) {
        encoding.writeVarUint(e, clientId);
        encoding.writeVarString(e, userId);
      }
      bus.publish(topicOf(room.name), encoding.toUint8Array(e));
    },

    /** Publishes an awareness change made on this process, with the owners of its client ids. */
    awareness(room: Room, update: Uint8Array, owners: Array<[number, string]>): void {
      if (!clustered) return;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, KIND_AWARENESS);
      encoding.writeVarUint(e, owners.length);
      for (const [clientId, userId] of owners) {
        encoding.writeVarUint(e, clientId);
        encoding.writeVarString(e, userId);
      }
      encoding.writeVarUint8Array(e, update);
      bus.publish(topicOf(room.name), encoding.toUint8Array(e));
    },

    catchUp,

    /** A commit of the room ended: apply what waited for it. */
    resume(room: Room): void {
      if (room.inCommit > 0) return;
      if (room.needsCatchUp) void catchUp(room);
      else integrate(room);
    },

    /** After the bus reconnected: anything may have been missed. */
    catchUpAll(rooms: Iterable<Room>): void {
      for (const room of rooms) void catchUp(room);
    },
  };
}

interface AwarenessMessage {
  owners: Array<[number, string]>;
  update: Uint8Array;
}

function applyRemoteAwareness(room: Room, message: AwarenessMessage): void {
  const awareness = room.ensureAwareness();
  if (!awareness) return;
  for (const [clientId, userId] of message.owners) room.remoteAwareness.set(clientId, userId);
  applyAwarenessUpdate(awareness, message.update, REMOTE);
}
