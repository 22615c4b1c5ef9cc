/**
 * Composition root: builds the API client, the session, and, while signed in, the sync
 * layer and app data; registers the service worker. The only module with start-up effects.
 */
import { createEffect, createMemo, createSignal, type JSX, Match, onCleanup, Switch } from "solid-js";
import { render } from "solid-js/web";
import { createAnnouncer } from "./components/live-announcer.js";
import { createApi } from "./lib/api.js";
import { AppCtx } from "./lib/app-context.js";
import { createAppData } from "./lib/app-data.js";
import { STOP_SENTENCES } from "./lib/close-policy.js";
import { createHistoryCache, type HistoryCache } from "./lib/history-cache.js";
import { LAST_SESSION_KEY } from "./lib/local-data.js";
import { createNotifications } from "./lib/notifications.js";
import { createOutbox, type Outbox } from "./lib/outbox.js";
import { createOutboxRunner, settleStopped } from "./lib/outbox-runner.js";
import { createRouter } from "./lib/router.js";
import { createSessionStore } from "./lib/session.js";
import { createSync, type Sync } from "./lib/sync.js";
import { Shell } from "./routes/shell.js";
import { SignIn } from "./routes/sign-in.js";
import "./styles.css";

/** Asking the server whether a refused socket means the session is gone: at most this often. */
const SESSION_CHECK_INTERVAL_MS = 15_000;
const WIDE_QUERY = "(min-width: 768px)";

let currentSync: Sync | null = null;
let currentHistory: HistoryCache | null = null;
let currentOutbox: Outbox | null = null;
const api = createApi({ onSessionEnded: () => void session.ended() });
const session = createSessionStore(api, {
  beforeClear: () => {
    currentSync?.destroy();
    currentSync = null;
    currentHistory?.close();
    currentHistory = null;
    currentOutbox?.close();
    currentOutbox = null;
  },
});
const router = createRouter();
const announcer = createAnnouncer();

let lastCheck = 0;
function verifySoon() {
  const now = Date.now();
  if (now - lastCheck < SESSION_CHECK_INTERVAL_MS) return;
  lastCheck = now;
  void session.verify();
}

// Another tab signed out (it removed the shared last-session record): check with the server.
window.addEventListener("storage", (e) => {
  if (e.key === LAST_SESSION_KEY && e.newValue === null) void session.verify();
});

// Keep the layout above the on-screen keyboard where dvh does not (iOS Safari).
const viewport = window.visualViewport;
if (viewport) {
  const fit = () => document.documentElement.style.setProperty("--app-height", `${Math.round(viewport.height)}px`);
  viewport.addEventListener("resize", fit);
  fit();
}

function SignedIn(props: { userId: string }): JSX.Element {
  const outbox = createOutbox(props.userId);
  currentOutbox = outbox;
  onCleanup(() => outbox.close());
  const sync = createSync({
    userId: props.userId,
    onSessionEnded: () => void session.ended(),
    onRefused: verifySoon,
    onStopped: (name, reason) => {
      announcer.announce(STOP_SENTENCES[reason]);
      void settleStopped(outbox, api, name, reason);
    },
    onDelivered: (_name, ids) => void outbox.remove(ids),
  });
  currentSync = sync;
  onCleanup(() => {
    sync.destroy();
    if (currentSync === sync) currentSync = null;
  });
  const history = createHistoryCache(props.userId);
  currentHistory = history;
  onCleanup(() => history.close());
  const data = createAppData({ api, sync, userId: props.userId, announce: announcer.announce });
  void data.refresh();
  const notifications = createNotifications({
    data,
    userId: props.userId,
    open: (id) => router.navigate(`/c/${encodeURIComponent(id)}`),
  });
  // Whatever any tab wrote and the server has not confirmed goes out now, conversation open or not.
  createOutboxRunner({ sync, outbox, api, userId: props.userId });
  const wide = matchMedia(WIDE_QUERY);
  const [isWide, setWide] = createSignal(wide.matches);
  const onChange = () => setWide(wide.matches);
  wide.addEventListener("change", onChange);
  onCleanup(() => wide.removeEventListener("change", onChange));

  return (
    <AppCtx.Provider
      value={{ api, sync, data, history, outbox, router, session, notifications, announce: announcer.announce, isWide }}
    >
      <Shell />
    </AppCtx.Provider>
  );
}

function App(): JSX.Element {
  const userId = createMemo(() => session.user()?.id ?? null);
  // A signed-out visitor starts at the root, not at someone else's conversation URL.
  createEffect(() => {
    if (session.state().status === "signed-out") router.navigate("/", { replace: true });
  });
  const notice = () => {
    const s = session.state();
    return s.status === "signed-out" ? s.notice : null;
  };
  return (
    <>
      <announcer.Region />
      <Switch>
        <Match when={session.state().status === "loading"}>
          <main class="auth" aria-busy="true">
            <p class="hint">Loading…</p>
          </main>
        </Match>
        <Match when={session.state().status === "signed-out"}>
          <SignIn session={session} notice={notice()} />
        </Match>
        <Match when={userId()} keyed>
          {(id) => <SignedIn userId={id} />}
        </Match>
      </Switch>
    </>
  );
}

const root = document.getElementById("root");
if (!root) throw new Error('index.html must contain <div id="root">.');
render(() => <App />, root);
void session.boot();

if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // No offline support (e.g. private mode); the app still works online.
    });
  });
}
