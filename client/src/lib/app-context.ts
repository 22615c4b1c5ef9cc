import { type Accessor, createContext, useContext } from "solid-js";
import type { Api } from "./api.js";
import type { AppData } from "./app-data.js";
import type { HistoryCache } from "./history-cache.js";
import type { Notifications } from "./notifications.js";
import type { Outbox } from "./outbox.js";
import type { Router } from "./router.js";
import type { SessionStore } from "./session.js";
import type { Sync } from "./sync.js";

/** What every signed-in screen may use; built once in main.tsx. */
export interface AppContext {
  api: Api;
  sync: Sync;
  data: AppData;
  /** Older pages of conversations, for scrolling back offline. */
  history: HistoryCache;
  /** Writes the server has not confirmed, from every tab (the lists show them pending). */
  outbox: Outbox;
  router: Router;
  session: SessionStore;
  /** System notifications for messages that arrive while the app is not looked at. */
  notifications: Notifications;
  announce: (text: string) => void;
  /** Desktop layout (lists and conversation side by side). */
  isWide: Accessor<boolean>;
}

export const AppCtx = createContext<AppContext>();

export function useApp(): AppContext {
  const ctx = useContext(AppCtx);
  if (!ctx) throw new Error("useApp() outside <AppCtx.Provider>: render screens inside the signed-in shell.");
  return ctx;
}
