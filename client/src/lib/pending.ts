/**
 * Which of my messages the server has surely received. y-websocket has no ack, so we
 * use the sync protocol's request/response order on one socket: the server answers
 * every sync step 1 with a step 2, in order. A message is delivered once a step 1 we
 * sent *after* its bytes went out has been answered:
 *
 *   written while connected  → the update went out at once; flush (send step 1) now.
 *   written while offline    → it goes out in our step 2 reply to the server's step 1
 *                              on the next connection; flush right after that reply.
 *
 * One request at a time: sync.ts sends a step 1 only when every earlier one was answered
 * (`outstanding()`), because a relay may fold a step 1 that arrives while it still owes a
 * step 2 into that reply, and then counting answers would wait for one that never comes.
 *
 * Pure state machine; sync.ts feeds it socket events and sends the step 1s.
 */
export interface PendingTracker {
  /** A message was written locally. Returns true when a flush should be sent now. */
  written(id: string): boolean;
  /** The socket opened (our handshake step 1 is the first request on it). */
  opened(): void;
  /** We replied to the server's step 1; offline writes are now on the wire. Returns true to flush. */
  repliedToServer(): boolean;
  /** We sent a step 1 of our own on this socket. */
  flushed(): void;
  /** A step 2 arrived. Returns the ids now delivered. */
  answered(): string[];
  /** A step 1 we sent on this socket is still unanswered. */
  outstanding(): boolean;
  /** The socket closed: anything unconfirmed waits for the next connection. */
  closed(): void;
  has(id: string): boolean;
  ids(): string[];
}

export function createPendingTracker(initial: Iterable<string> = []): PendingTracker {
  /** id → index of the step 1 whose answer confirms it; 0 = waiting for a connection. */
  const waiting = new Map<string, number>();
  for (const id of initial) waiting.set(id, 0);
  let open = false;
  let repliedOnce = false;
  let sent = 0;
  let answered = 0;

  const assignNext = () => {
    let any = false;
    for (const [id, target] of waiting) {
      if (target === 0) {
        waiting.set(id, sent + 1);
        any = true;
      }
    }
    return any;
  };

  return {
    written(id) {
      if (waiting.has(id)) return false;
      // Before we replied to the server's step 1 the write still rides on that reply, so wait.
      if (!open || !repliedOnce) {
        waiting.set(id, 0);
        return false;
      }
      waiting.set(id, sent + 1);
      return true;
    },
    opened() {
      open = true;
      repliedOnce = false;
      sent = 1; // y-websocket sends its handshake step 1 on open
      answered = 0;
    },
    repliedToServer() {
      if (!open) return false;
      repliedOnce = true;
      return assignNext();
    },
    flushed() {
      if (open) sent++;
    },
    answered() {
      if (!open) return [];
      answered++;
      const done: string[] = [];
      for (const [id, target] of waiting) {
        if (target !== 0 && target <= answered) done.push(id);
      }
      for (const id of done) waiting.delete(id);
      return done;
    },
    outstanding: () => open && answered < sent,
    closed() {
      open = false;
      repliedOnce = false;
      for (const id of waiting.keys()) waiting.set(id, 0);
    },
    has: (id) => waiting.has(id),
    ids: () => Array.from(waiting.keys()),
  };
}
