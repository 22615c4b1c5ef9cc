/**
 * Path routes on the History API (the server falls back to index.html for unknown
 * non-API paths): / active, /all, /people, /settings, /c/:id a conversation, and
 * /c/:id?m=<messageId> a conversation opened at one message (a search result, a reply's
 * quote): `conversationPath` / `router.openAt` are the one way to get there.
 */
import { MESSAGE_ID_PATTERN } from "@messenger/shared";
import { createSignal } from "solid-js";

export type Route =
  | { name: "active" }
  | { name: "all" }
  | { name: "people" }
  | { name: "settings" }
  | { name: "conversation"; id: string; messageId?: string };

export type ListRouteName = "active" | "all" | "people" | "settings";

export function parseRoute(pathname: string, search = ""): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  const m = /^\/c\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (m?.[1]) {
    const messageId = new URLSearchParams(search).get("m");
    return messageId && MESSAGE_ID_PATTERN.test(messageId)
      ? { name: "conversation", id: m[1], messageId }
      : { name: "conversation", id: m[1] };
  }
  if (path === "/all") return { name: "all" };
  if (path === "/people") return { name: "people" };
  if (path === "/settings") return { name: "settings" };
  return { name: "active" };
}

/** A conversation's path; with a message id, the conversation opened at that message. */
export function conversationPath(id: string, messageId?: string): string {
  const base = `/c/${encodeURIComponent(id)}`;
  return messageId ? `${base}?m=${encodeURIComponent(messageId)}` : base;
}

export function routePath(route: Route): string {
  switch (route.name) {
    case "conversation":
      return conversationPath(route.id, route.messageId);
    case "active":
      return "/";
    default:
      return `/${route.name}`;
  }
}

export type Router = ReturnType<typeof createRouter>;

/** Splits "/c/x?m=y" into its path and its query ("?m=y", or ""). */
function splitPath(path: string): [string, string] {
  const i = path.indexOf("?");
  return i < 0 ? [path, ""] : [path.slice(0, i), path.slice(i)];
}

export function createRouter() {
  const [route, setRoute] = createSignal<Route>(parseRoute(location.pathname, location.search));
  // Entries this tab pushed, so Back can pop them instead of leaving the app.
  let depth = 0;
  window.addEventListener("popstate", () => {
    depth = Math.max(0, depth - 1);
    setRoute(parseRoute(location.pathname, location.search));
  });

  function navigate(path: string, opts: { replace?: boolean } = {}) {
    if (path === location.pathname + location.search) return;
    if (opts.replace) history.replaceState(null, "", path);
    else {
      history.pushState(null, "", path);
      depth++;
    }
    setRoute(parseRoute(...splitPath(path)));
  }

  return {
    route,
    navigate,
    /**
     * Opens conversation `conversationId` scrolled to message `messageId`, highlighted (its page is
     * loaded around it when it is not on hand). The entry point for search results and reply quotes.
     */
    openAt(conversationId: string, messageId: string) {
      navigate(conversationPath(conversationId, messageId));
    },
    /** Goes back within the app, or to the fallback when the app was opened on this page. */
    back(fallback = "/") {
      if (depth > 0) history.back();
      else navigate(fallback, { replace: true });
    },
  };
}
