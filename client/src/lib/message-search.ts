/**
 * The search box's messages: asks the server as the user types (debounced), newest first
 * with cursor paging; when the server cannot be reached (offline, or a network error) it
 * searches this device instead (local-search.ts) and says so (`source: "device"`).
 * Results are grouped by conversation for display, the newest group first.
 */
import { DEFAULT_SEARCH_LIMIT, searchTokens } from "@messenger/shared";
import { createSignal } from "solid-js";
import { type Api, ApiError, NETWORK_ERROR } from "./api.js";
import type { FoundMessage, LocalSearch } from "./local-search.js";
import { recordFromMessage } from "./messages.js";

/** Quiet time after a keystroke before a query goes out. */
export const SEARCH_DEBOUNCE_MS = 250;
/** Results shown per "Load more" when searching the device. */
export const LOCAL_PAGE_SIZE = 50;

export interface MessageGroup {
  conversationId: string;
  /** Newest first. */
  hits: FoundMessage[];
}

/** Hits (newest first) grouped by conversation, the group with the newest hit first. */
export function groupByConversation(hits: readonly FoundMessage[]): MessageGroup[] {
  const groups = new Map<string, MessageGroup>();
  for (const hit of hits) {
    let g = groups.get(hit.conversationId);
    if (!g) {
      g = { conversationId: hit.conversationId, hits: [] };
      groups.set(hit.conversationId, g);
    }
    g.hits.push(hit);
  }
  return Array.from(groups.values());
}

export type SearchStatus = "idle" | "searching" | "done" | "failed";
/** Where the results come from: the server, or this device (offline). */
export type SearchSource = "server" | "device";

export type MessageSearch = ReturnType<typeof createMessageSearch>;

export function createMessageSearch(deps: {
  api: Pick<Api, "search">;
  local: Pick<LocalSearch, "search">;
  /** No point asking the server (the browser says it is offline). */
  offline: () => boolean;
  debounceMs?: number;
}) {
  const debounceMs = deps.debounceMs ?? SEARCH_DEBOUNCE_MS;
  const [query, setQuerySignal] = createSignal("");
  const [status, setStatus] = createSignal<SearchStatus>("idle");
  const [source, setSource] = createSignal<SearchSource>("server");
  const [hits, setHits] = createSignal<FoundMessage[]>([]);
  const [error, setError] = createSignal<unknown>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [cursor, setCursor] = createSignal<string | null>(null);
  /** Every local match of the query; `hits` shows a prefix of it. */
  let deviceHits: FoundMessage[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every new query: answers to an older one are dropped. */
  let generation = 0;

  const isNetworkError = (err: unknown) => err instanceof ApiError && err.code === NETWORK_ERROR;

  async function searchDevice(q: string, gen: number) {
    const found = await deps.local.search(q);
    if (gen !== generation) return;
    deviceHits = found;
    setSource("device");
    setHits(found.slice(0, LOCAL_PAGE_SIZE));
    setCursor(null);
    setStatus("done");
  }

  async function run(q: string, gen: number) {
    setStatus("searching");
    setError(null);
    try {
      if (deps.offline()) return await searchDevice(q, gen);
      try {
        const page = await deps.api.search({ q, limit: DEFAULT_SEARCH_LIMIT });
        if (gen !== generation) return;
        setSource("server");
        setHits(page.results.map((r) => ({ conversationId: r.conversationId, record: recordFromMessage(r.message) })));
        setCursor(page.nextCursor);
        setStatus("done");
      } catch (err) {
        if (!isNetworkError(err)) throw err;
        await searchDevice(q, gen);
      }
    } catch (err) {
      if (gen !== generation) return;
      setError(err);
      setStatus("failed");
    }
  }

  function setQuery(q: string) {
    setQuerySignal(q);
    clearTimeout(timer);
    const gen = ++generation;
    setLoadingMore(false);
    if (searchTokens(q).length === 0) {
      setHits([]);
      setCursor(null);
      setError(null);
      setStatus("idle");
      return;
    }
    setStatus("searching");
    timer = setTimeout(() => void run(q, gen), debounceMs);
  }

  const hasMore = () =>
    status() === "done" && (source() === "server" ? cursor() !== null : hits().length < deviceHits.length);

  async function loadMore() {
    if (!hasMore() || loadingMore()) return;
    if (source() === "device") {
      setHits(deviceHits.slice(0, hits().length + LOCAL_PAGE_SIZE));
      return;
    }
    const gen = generation;
    const q = query();
    setLoadingMore(true);
    try {
      const page = await deps.api.search({ q, cursor: cursor() ?? undefined, limit: DEFAULT_SEARCH_LIMIT });
      if (gen !== generation) return;
      const seen = new Set(hits().map((h) => h.record.id));
      const more = page.results
        .filter((r) => !seen.has(r.message.id))
        .map((r) => ({ conversationId: r.conversationId, record: recordFromMessage(r.message) }));
      setHits([...hits(), ...more]);
      setCursor(page.nextCursor);
    } catch (err) {
      if (gen !== generation) return;
      // The server went away mid-search: the device answers the whole query instead.
      if (isNetworkError(err)) await run(q, gen);
      else setError(err);
    } finally {
      if (gen === generation) setLoadingMore(false);
    }
  }

  return {
    query,
    setQuery,
    /** The query's folded words (for highlighting). */
    tokens: () => searchTokens(query()),
    /** There is something to search for: the lists give way to results. */
    active: () => searchTokens(query()).length > 0,
    status,
    source,
    hits,
    groups: () => groupByConversation(hits()),
    error,
    hasMore,
    loadingMore,
    loadMore,
    clear: () => setQuery(""),
    dispose: () => clearTimeout(timer),
  };
}
