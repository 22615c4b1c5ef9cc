/**
 * Push to a user's devices while no tab of the app is open: the seam, not an implementation.
 * Web Push needs a push service (the browser vendor's) that this deployment cannot reach, so
 * the only sender is `disabled`; docs/architecture.md § Notifications says where Web Push
 * (VAPID keys, a subscriptions table, the service worker's `push` event) plugs in. Open tabs
 * notify by themselves from the live inbox (client/src/lib/notify.ts), so nothing is lost
 * while this is disabled but notifications with every tab closed.
 */

/** What a notification says; the service worker shows it and opens `conversationId` on click. */
export interface PushPayload {
  conversationId: string;
  /** The conversation's or the author's name. */
  title: string;
  /** A preview of the message. */
  body: string;
}

export interface PushSender {
  readonly kind: "disabled";
  /** Sends to every device the user subscribed; never throws (a failed push is logged and dropped). */
  send(userId: string, payload: PushPayload): Promise<void>;
}

/** Sends nothing: push is not configured (PUSH_PROVIDER is reserved). */
export function createDisabledPushSender(): PushSender {
  return {
    kind: "disabled",
    send: async () => {},
  };
}
