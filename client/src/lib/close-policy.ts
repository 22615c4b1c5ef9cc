/**
 * What the client does when the relay closes a document's socket (docs/protocol.md § Close codes).
 * Stock y-websocket 3.x never reconnects after a code in 4400–4499, so sync.ts decides every
 * server close here instead: retryable closes reconnect with a jittered, capped backoff (with a
 * floor for "try again later", so an overloaded server is not hammered), permanent ones stop the
 * document and say why. A close without a code (network gone, a refused upgrade: 1006) retries.
 */
import { CLOSE_CODES } from "@messenger/shared";
import { jitteredBackoff } from "./backoff.js";

/** Why a document stopped syncing for good (until the app is reloaded). */
export type StopReason = "write-rejected" | "malformed" | "too-large" | "refused" | "not-a-member";

export type CloseAction =
  | { kind: "retry"; later: boolean }
  | { kind: "end-session" }
  | { kind: "stop"; reason: StopReason };

/** Retry-later closes wait at least as long as after this many failures (3.2 s, jittered to 1.6–3.2 s). */
const LATER_MIN_FAILURES = 5;

export function closeAction(code: number): CloseAction {
  switch (code) {
    case CLOSE_CODES.SESSION_ENDED:
      return { kind: "end-session" };
    case CLOSE_CODES.WRITE_REJECTED:
      return { kind: "stop", reason: "write-rejected" };
    case CLOSE_CODES.NOT_A_MEMBER:
      // Removed from the group, or left: final. The local copy stays, read-only.
      return { kind: "stop", reason: "not-a-member" };
    case CLOSE_CODES.MALFORMED_FRAME:
      // Resending the same bytes would be refused again: a bug, not a condition that passes.
      return { kind: "stop", reason: "malformed" };
    case CLOSE_CODES.FRAME_TOO_LARGE:
      return { kind: "stop", reason: "too-large" };
    // An older server closes a flood with 4429: retryable despite its range.
    case CLOSE_CODES.RATE_LIMITED:
    case CLOSE_CODES.TRY_AGAIN_LATER:
    case CLOSE_CODES.GOING_AWAY:
      return { kind: "retry", later: true };
  }
  if (code >= 4400 && code < 4500) return { kind: "stop", reason: "refused" };
  return { kind: "retry", later: false };
}

/** The wait before reconnecting after the `failures`-th failed or closed connection in a row (≥ 1). */
export function reconnectDelay(later: boolean, failures: number, random: () => number = Math.random): number {
  return jitteredBackoff(later ? Math.max(failures, LATER_MIN_FAILURES) : failures, random);
}

/** What a conversation says when its document stopped syncing. */
export const STOP_SENTENCES: Record<StopReason, string> = {
  "write-rejected":
    "The server refused a change in this conversation, so it stopped syncing here. Unsent messages are posted another way; what cannot be is listed.",
  malformed: "This conversation stopped syncing: the server could not read what this app sent.",
  "too-large": "This conversation stopped syncing: a change here is too large to send.",
  refused: "This conversation stopped syncing: the server closed the connection for good.",
  "not-a-member": "You are no longer a member of this group. What you had stays on this device, read-only.",
};
