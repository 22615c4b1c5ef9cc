/**
 * The loaded rooms: one per document, loaded from the store on first use (callers asking
 * while it loads share the load), unloaded ROOM_IDLE_UNLOAD_MS after the last connection
 * leaves, once its changes are committed and its log compacted. Compactions of one
 * document run one at a time, so an older snapshot never lands after a newer one.
 */
import { CLOSE_CODES, type DocName, parseDocName } from "@messenger/shared";
import type { Logger } from "../logger.js";
import type { Store } from "../store/types.js";
import type { Replica } from "./replica.js";
import { Room } from "./room.js";

/** WebSocket close code for a server-side failure (RFC 6455). */
const CLOSE_INTERNAL_ERROR = 1011;

export interface RoomsDeps {
  store: Store;
  logger: Logger;
  idleMs: number;
  /** A room's document changed: commit it soon. */
  markDirty(room: Room): void;
  /** Runs once on every room as it loads, before anyone gets it (an inbox catches up with the store). */
  onLoaded(room: Room, target: DocName): Promise<void>;
  /** Other processes' commits to loaded rooms (a cluster); does nothing for one process. */
  replica: Replica;
}

export type Rooms = ReturnType<typeof createRooms>;

export function createRooms(deps: RoomsDeps) {
  const { store, logger } = deps;
  const loaded = new Map<string, Room>();
  const loading = new Map<string, Promise<Room>>();
  let closing = false;

  const load = async (name: string, target: DocName): Promise<Room> => {
    // Subscribed before reading: a commit elsewhere in between arrives as a message.
    const following = deps.replica.follow(name);
    try {
      await following?.ready;
      const stored = await store.docs.load(name);
      const room = new Room(name, target, stored, deps.markDirty);
      if (following) {
        room.following = following;
        following.attach(room);
      }
      await deps.onLoaded(room, target);
      loaded.set(name, room);
      return room;
    } catch (error) {
      following?.close();
      throw error;
    } finally {
      loading.delete(name);
    }
  };

  /** Writes the room's snapshot, after any compaction of it still being written. */
  const compact = (room: Room): Promise<void> => {
    const snapshot = room.snapshot();
    if (!snapshot) return room.compaction ?? Promise.resolve();
    const previous = room.compaction ?? Promise.resolve();
    const next = previous
      .then(() => store.docs.compact(room.name, snapshot.data, snapshot.throughSeq))
      .catch((err) => logger.error("compaction failed", { doc: room.name, err: String(err) }))
      .finally(() => {
        if (room.compaction === next) room.compaction = null;
      });
    room.compaction = next;
    return next;
  };

  const unload = async (room: Room) => {
    room.unloadTimer = null;
    if (loaded.get(room.name) !== room || room.connections.size > 0) return;
    if (!room.atRest) return room.afterCommit(() => release(room));
    const claims = room.claims;
    await compact(room);
    // Someone may have taken it (to open a socket, to write), or written to it, while the snapshot was written.
    if (loaded.get(room.name) !== room) return;
    if (room.claims !== claims || room.connections.size > 0 || !room.atRest) return release(room);
    loaded.delete(room.name);
    room.destroy();
  };

  /** A room with no connections unloads after idleMs (memory follows active documents). */
  const release = (room: Room) => {
    if (closing || room.connections.size > 0 || loaded.get(room.name) !== room) return;
    if (room.unloadTimer) clearTimeout(room.unloadTimer);
    room.unloadTimer = setTimeout(() => void unload(room), deps.idleMs);
    room.unloadTimer.unref();
  };

  return {
    /** The loaded room of a document, loading it if needed. */
    get(name: string): Promise<Room> {
      const existing = loaded.get(name);
      if (existing) {
        existing.claims++;
        if (existing.unloadTimer) clearTimeout(existing.unloadTimer);
        existing.unloadTimer = null;
        return Promise.resolve(existing);
      }
      const pending = loading.get(name);
      if (pending) return pending;
      if (closing) return Promise.reject(new Error("relay closing"));
      const target = parseDocName(name);
      if (target === null) return Promise.reject(new TypeError(`not a document name: ${name}`));
      const started = load(name, target);
      loading.set(name, started);
      return started;
    },

    /** The room if it is loaded (not loading), without claiming it. */
    loadedRoom(name: string): Room | undefined {
      return loaded.get(name);
    },

    /** The room if it is loaded or loading, without loading it; null otherwise. */
    ifPresent(name: string): Promise<Room> | null {
      if (loaded.has(name)) return this.get(name);
      return loading.get(name) ?? null;
    },

    release,
    compact,

    /**
     * After a failed commit: close the room's sockets; it reloads from the store on next use.
     * When the store refused one user's write (another process's commit won), that user's
     * sockets are closed as refused and the others' with "try again": they reconnect and
     * resend what was not committed.
     */
    fail(room: Room, err: unknown, refusedUser: string | null = null): void {
      room.failed = true;
      if (loaded.get(room.name) === room) loaded.delete(room.name);
      for (const conn of [...room.connections]) {
        if (refusedUser === null) conn.close(CLOSE_INTERNAL_ERROR, "storage failure");
        else if (conn.user.id === refusedUser)
          conn.close(CLOSE_CODES.WRITE_REJECTED, "write refused: conflicts with a committed write");
        else conn.close(CLOSE_CODES.TRY_AGAIN_LATER, "resync: the document changed");
      }
      for (const after of room.takeBatch().after) after(err);
      room.destroy();
    },

    values: () => loaded.values(),
    names: () => [...loaded.keys()],

    /** Closes every socket with GOING_AWAY, compacts and unloads every room (call once nothing is pending). */
    async close(): Promise<void> {
      closing = true;
      await Promise.allSettled([...loading.values()]);
      for (const room of loaded.values())
        for (const conn of [...room.connections]) conn.close(CLOSE_CODES.GOING_AWAY, "server shutting down");
    },

    async unloadAll(): Promise<void> {
      const all = [...loaded.values()];
      await Promise.all(all.map((room) => compact(room)));
      for (const room of all) room.destroy();
      loaded.clear();
    },
  };
}
