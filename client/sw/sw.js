/* Messenger service worker. Generated at build: PRECACHE and VERSION are filled in by
 * the build plugin in vite.config.ts with the URLs of the built assets.
 *   hashed /assets/*     cache-first (immutable)
 *   navigations          network-first, falling back to the cached index.html
 *   other static files   stale-while-revalidate
 *   /api and /sync       never touched
 * Notifications (shown by the app through this registration, client/src/lib/notifications.ts):
 * a click focuses a tab of the app and opens the conversation there, or opens a new one.
 * Background Sync ("outbox:<userId>"): new messages written offline are posted over HTTP when the
 * network is back, even with no tab open (see deliverOutbox).
 */
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `messenger-${VERSION}`;
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("messenger-") && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

function isBypassed(url) {
  return url.origin !== self.location.origin || url.pathname.startsWith("/api") || url.pathname.startsWith("/sync");
}

async function navigation(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NAVIGATION_TIMEOUT_MS)),
    ]);
    if (response.ok && (response.headers.get("content-type") || "").includes("text/html")) {
      await cache.put("/index.html", response.clone());
    }
    return response;
  } catch {
    const cached = await cache.match("/index.html");
    if (cached) return cached;
    throw new Error("offline and no cached page");
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) return cache.put(request, response.clone()).then(() => response);
      return response;
    })
    .catch(() => cached);
  if (cached) {
    event.waitUntil(fresh.catch(() => undefined));
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (isBypassed(url)) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(staleWhileRevalidate(request, event));
  }
});

/*
 * The app's outbox (client/src/lib/outbox.ts, same database and store names): messages written
 * offline that the server has not confirmed. POST /api/conversations/:id/messages is idempotent
 * on the id and carries the record's createdAt, so if the app also delivers the message through
 * its Yjs document, the server still keeps one. Edits and deletes travel only in the document.
 */
const OUTBOX_STORE = "entries";
const OUTBOX_DB_VERSION = 1;
const OUTBOX_TAG = "outbox:";
/** HTTP answers that mean an entry will never be accepted, as the outbox names them. */
const OUTBOX_FAILURES = { 400: "invalid", 403: "forbidden", 404: "forbidden", 409: "conflict", 413: "invalid" };

self.addEventListener("sync", (event) => {
  if (event.tag.startsWith(OUTBOX_TAG)) event.waitUntil(deliverOutbox(event.tag.slice(OUTBOX_TAG.length)));
});

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openOutbox(userId) {
  return new Promise((resolve) => {
    const req = indexedDB.open(`outbox.${userId}`, OUTBOX_DB_VERSION);
    // Never create it here: no database means that user signed out and their data was deleted.
    req.onupgradeneeded = () => req.transaction.abort();
    req.onsuccess = () => resolve(req.result);
    req.onerror = req.onblocked = () => resolve(null);
  });
}

async function deliverOutbox(userId) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  // A tab on screen delivers through the document itself.
  if (windows.some((w) => w.visibilityState === "visible")) return;
  const db = await openOutbox(userId);
  if (!db) return;
  const store = (mode) => db.transaction(OUTBOX_STORE, mode).objectStore(OUTBOX_STORE);
  let retry = false;
  try {
    const unsent = (await request(store("readonly").getAll())).filter((e) => e.kind === "message" && !e.failed);
    if (unsent.length === 0) return;
    // Post only as the user who wrote them: by now the cookie may be someone else's, or gone.
    const session = await fetch("/api/auth/get-session", { headers: { accept: "application/json" } });
    const body = session.ok ? await session.json() : null;
    if (body?.user?.id !== userId) return;
    for (const e of unsent) {
      const res = await fetch(`/api/conversations/${encodeURIComponent(e.conversationId)}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ id: e.id, text: e.text, createdAt: e.createdAt }),
      });
      const failed = OUTBOX_FAILURES[res.status];
      if (res.ok) await request(store("readwrite").delete(e.id));
      else if (failed) await request(store("readwrite").put({ ...e, failed }));
      // Signed out: the app deletes the outbox at its next start.
      else if (res.status === 401) return;
      else {
        retry = true; // 429, 5xx: Background Sync tries again later
        break;
      }
    }
  } catch {
    retry = true; // the network went away again
  } finally {
    db.close();
    const channel = new BroadcastChannel(`outbox.${userId}`);
    channel.postMessage("changed");
    channel.close();
  }
  if (retry) throw new Error("outbox: not delivered yet");
}

/* A click on a message notification: the conversation, in a tab of the app that is already open
 * when there is one (it navigates itself on the message), else in a new window. */
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const conversationId = event.notification.data?.conversationId;
  if (typeof conversationId !== "string") return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const tab = windows.find((w) => w.visibilityState === "visible") ?? windows[0];
      if (tab) {
        await tab.focus().catch(() => undefined);
        tab.postMessage({ type: "open-conversation", conversationId });
        return;
      }
      await self.clients.openWindow(`/c/${encodeURIComponent(conversationId)}`);
    })(),
  );
});
