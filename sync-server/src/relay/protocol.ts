/**
 * Frames of the y-websocket protocol as the relay writes them.
 *
 * Message sequence on one socket (see docs/protocol.md):
 *   server → client  sync step 1 (server state vector), then awareness states
 *   client → server  sync step 1 (client state vector)  → server replies step 2 after its next commit
 *   client → server  sync step 2 / update                → validated, applied, persisted, then fanned out
 *   client ↔ server  awareness (conversation documents only), query-awareness
 *   server → client  presence (inbox sockets opened with ?presence=1)
 */
import { MESSAGE_AWARENESS, MESSAGE_PRESENCE, MESSAGE_SYNC, type PresenceFrame } from "@messenger/shared";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import type * as Y from "yjs";

export const SYNC_STEP1 = syncProtocol.messageYjsSyncStep1;
export const SYNC_STEP2 = syncProtocol.messageYjsSyncStep2;
export const SYNC_UPDATE = syncProtocol.messageYjsUpdate;

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(e, doc);
  return encoding.toUint8Array(e);
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, SYNC_STEP2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** varuint MESSAGE_PRESENCE, then the frame as a JSON varstring. */
export function encodePresence(frame: PresenceFrame): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_PRESENCE);
  encoding.writeVarString(e, JSON.stringify(frame));
  return encoding.toUint8Array(e);
}
