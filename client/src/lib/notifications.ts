/**
 * System notifications for messages that arrive while I am not looking (lib/notify.ts
 * decides). Asked for only from Settings ("Turn on notifications"), never on load. One tab of
 * the browser shows them (the holder of a Web Lock; every tab without Web Locks), through the
 * service worker when there is one so a click focuses the app and opens the conversation
 * (sw.js `notificationclick`), else with `new Notification`.
 */
import type { ConversationSummary } from "@messenger/shared";
import { createEffect, createSignal, onCleanup } from "solid-js";
import type { AppData } from "./app-data.js";
import { readJson, userKey, writeJson } from "./local-data.js";
import { notificationFor, type SystemNotification } from "./notify.js";
import { serverNow } from "./server-clock.js";

/** What Settings shows: on, off (not asked, or turned off here), blocked by the browser, not supported. */
export type NotificationState = "on" | "off" | "blocked" | "unsupported";

/** What the service worker posts to the page when a notification is clicked. */
export const OPEN_CONVERSATION_MESSAGE = "open-conversation";

export type Notifications = ReturnType<typeof createNotifications>;

export function createNotifications(deps: { data: AppData; userId: string; open: (conversationId: string) => void }) {
  const { data, userId } = deps;
  const supported = typeof Notification !== "undefined";
  const key = userKey(userId, "notifications");
  const [permission, setPermission] = createSignal<NotificationPermission>(
    supported ? Notification.permission : "denied",
  );
  const [wanted, setWanted] = createSignal(readJson<boolean>(localStorage, key) ?? false);
  const state = (): NotificationState =>
    !supported
      ? "unsupported"
      : permission() === "denied"
        ? "blocked"
        : permission() === "granted" && wanted()
          ? "on"
          : "off";

  // One tab notifies: whoever holds the lock (the next tab takes it when this one closes).
  const [leader, setLeader] = createSignal(!("locks" in navigator));
  if ("locks" in navigator) {
    const released = new AbortController();
    navigator.locks
      .request(`messenger-notify:${userId}`, { signal: released.signal }, () => {
        setLeader(true);
        return new Promise<void>((resolve) => released.signal.addEventListener("abort", () => resolve()));
      })
      .catch(() => {});
    onCleanup(() => released.abort());
  }

  // The permission may change in the browser's own settings.
  const recheck = () => supported && setPermission(Notification.permission);
  document.addEventListener("visibilitychange", recheck);
  window.addEventListener("focus", recheck);
  onCleanup(() => {
    document.removeEventListener("visibilitychange", recheck);
    window.removeEventListener("focus", recheck);
  });

  // A click on a notification the service worker showed.
  const onMessage = (e: MessageEvent) => {
    const m = e.data as { type?: string; conversationId?: string } | null;
    if (m?.type === OPEN_CONVERSATION_MESSAGE && typeof m.conversationId === "string") deps.open(m.conversationId);
  };
  navigator.serviceWorker?.addEventListener("message", onMessage);
  onCleanup(() => navigator.serviceWorker?.removeEventListener("message", onMessage));

  // Only what arrives from now on: the backlog is in the lists already.
  const since = serverNow();
  const previous = new Map<string, ConversationSummary>();
  createEffect(() => {
    const list = data.conversations();
    const away = document.visibilityState === "hidden" || !document.hasFocus();
    for (const next of list) {
      const shown =
        state() === "on" && leader()
          ? notificationFor({
              previous: previous.get(next.id),
              next,
              me: userId,
              muted: data.muted(next.id),
              away,
              since,
              nameOf: data.nameOf,
            })
          : null;
      previous.set(next.id, next);
      if (shown) void show(shown);
    }
  });

  async function show(n: SystemNotification): Promise<void> {
    const options: NotificationOptions = { body: n.body, tag: n.tag, data: { conversationId: n.conversationId } };
    try {
      const registration = await navigator.serviceWorker?.getRegistration();
      if (registration) return await registration.showNotification(n.title, options);
      const shown = new Notification(n.title, options);
      shown.onclick = () => {
        window.focus();
        deps.open(n.conversationId);
        shown.close();
      };
    } catch {
      // The browser refused (permission withdrawn meanwhile): nothing to show.
    }
  }

  return {
    state,
    /** Asks the browser (from a click: browsers refuse to ask otherwise) and turns them on if allowed. */
    async turnOn(): Promise<NotificationState> {
      if (!supported) return "unsupported";
      const answer = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
      setPermission(answer);
      if (answer === "granted") {
        setWanted(true);
        writeJson(localStorage, key, true);
      }
      return state();
    },
    turnOff(): void {
      setWanted(false);
      writeJson(localStorage, key, false);
    },
  };
}
