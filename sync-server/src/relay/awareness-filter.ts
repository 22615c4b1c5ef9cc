/**
 * Rewrites a client's awareness update (y-protocols format: varuint count, then per
 * entry varuint clientID, varuint clock, varstring JSON state) so that nobody can
 * speak for someone else: the identity comes from the socket's session, only
 * `typingAt` is kept from the client, and a connection may only change awareness
 * client ids it introduced (or that another socket of the same user introduced).
 *
 * Quirk: the stock y-websocket client re-sends every awareness change it receives,
 * other users' included. Such an echo carries a clock no newer than the server's,
 * so entries are classified by the caller: "own" (apply), "echo" (drop silently),
 * "foreign" (a newer clock for someone else's id: impersonation, reject the frame).
 */
import { type AwarenessState, MAX_AWARENESS_STATE_BYTES } from "@messenger/shared";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { SocketUser } from "./types.js";

/** A real client sends one entry; a few more leave room for a reconnecting tab. */
export const MAX_AWARENESS_ENTRIES = 8;

export type AwarenessVerdict =
  | { ok: true; update: Uint8Array; clientIds: number[] }
  | { ok: false; malformed: boolean; reason: string };

export type AwarenessEntryKind = "own" | "echo" | "foreign";

export function rewriteAwarenessUpdate(
  update: Uint8Array,
  user: SocketUser,
  classify: (clientId: number, clock: number) => AwarenessEntryKind,
): AwarenessVerdict {
  const entries: Array<{ clientId: number; clock: number; state: AwarenessState | null }> = [];
  try {
    const d = decoding.createDecoder(update);
    const count = decoding.readVarUint(d);
    if (count > MAX_AWARENESS_ENTRIES) return { ok: false, malformed: false, reason: "too many awareness entries" };
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const json = decoding.readVarString(d);
      if (Buffer.byteLength(json) > MAX_AWARENESS_STATE_BYTES)
        return { ok: false, malformed: false, reason: "awareness state too large" };
      const raw: unknown = JSON.parse(json);
      entries.push({ clientId, clock, state: raw === null ? null : rewriteState(raw, user) });
    }
    if (d.pos !== update.length) return { ok: false, malformed: true, reason: "trailing bytes after awareness update" };
  } catch {
    return { ok: false, malformed: true, reason: "undecodable awareness update" };
  }
  const own = [];
  for (const e of entries) {
    const kind = classify(e.clientId, e.clock);
    if (kind === "foreign")
      return { ok: false, malformed: false, reason: "awareness client id belongs to another user" };
    if (kind === "own") own.push(e);
  }
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, own.length);
  for (const e of own) {
    encoding.writeVarUint(out, e.clientId);
    encoding.writeVarUint(out, e.clock);
    encoding.writeVarString(out, JSON.stringify(e.state));
  }
  return { ok: true, update: encoding.toUint8Array(out), clientIds: own.map((e) => e.clientId) };
}

function rewriteState(raw: unknown, user: SocketUser): AwarenessState {
  const typingAt = typeof raw === "object" && raw !== null ? (raw as { typingAt?: unknown }).typingAt : null;
  return {
    user: { id: user.id, name: user.name },
    typingAt: typeof typingAt === "number" && Number.isSafeInteger(typingAt) && typingAt > 0 ? typingAt : null,
  };
}
