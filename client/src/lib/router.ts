/**
 * Path routes on the History API (the server falls back to index.html for unknown
 * non-API paths): / active, /all, /people, /settings, /c/:id a conversation.
 */
import { createSignal } from "solid-js";

export type Route =
  | { name: "active" }
  | { name: "all" }
  | { name: "people" }
  | { name: "settings" }
  | { name: "conversation"; id: string };

export type ListRouteName = "active" | "all" | "people" | "settings";

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  const m = /^\/c\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (m?.[1]) return { name: "conversation", id: m[1] };
  if (path === "/all") return { name: "all" };
  if (path === "/people") return { name: "people" };
  if (path === "/settings") return { name: "settings" };
  return { name: "active" };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case "conversation":
      return `/c/${encodeURIComponent(route.id)}`;
    case "active":
      return "/";
    default:
      return `/${route.name}`;
  }
}

export type Router = ReturnType<typeof createRouter>;

export function createRouter() {
  const [route, setRoute] = createSignal<Route>(parseRoute(location.pathname));
  // Entries this tab pushed, so Back can pop them instead of leaving the app.
  let depth = 0;
  window.addEventListener("popstate", () => {
    depth = Math.max(0, depth - 1);
    setRoute(parseRoute(location.pathname));
  });

  function navigate(path: string, opts: { replace?: boolean } = {}) {
    if (path === location.pathname) return;
    if (opts.replace) history.replaceState(null, "", path);
    else {
      history.pushState(null, "", path);
      depth++;
    }
    setRoute(parseRoute(path));
  }

  return {
    route,
    navigate,
    /** Goes back within the app, or to the fallback when the app was opened on this page. */
    back(fallback = "/") {
      if (depth > 0) history.back();
      else navigate(fallback, { replace: true });
    },
  };
}
