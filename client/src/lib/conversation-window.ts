/**
 * A conversation opened at a message that is not in its loaded timeline (a search result, a
 * reply's quote far back): a detached window of history `around` it, paged up (`before`)
 * and down (`after`) as the user scrolls, until it meets the attached timeline (the live
 * segments and the older pages behind them) and the conversation store merges it in.
 * Every page is kept in the history cache as a run, so the device holds it; offline, the
 * window opens and pages from that cache.
 */
import { compareMessages, type Message, type MessageRecord, type MessagesPage } from "@messenger/shared";
import { batch, createSignal } from "solid-js";
import { type Api, ApiError, NETWORK_ERROR } from "./api.js";
import { type CachedRun, type HistoryCache, runWith, withRun } from "./history-cache.js";
import { mergeMessages, recordFromMessage } from "./messages.js";

/** Messages asked for around the target (half on each side), and per page up or down. */
export const WINDOW_PAGE_SIZE = 50;

/** Up to `limit` records of a cached run just before or after `edge` (a record of that run). */
export function runPage(
  run: CachedRun,
  edge: string,
  direction: "before" | "after",
  limit: number,
): { records: MessageRecord[]; more: boolean } | null {
  const sorted = [...run.records].sort(compareMessages);
  const i = sorted.findIndex((r) => r.id === edge);
  if (i < 0) return null;
  if (direction === "before") {
    const start = Math.max(0, i - limit);
    return { records: sorted.slice(start, i), more: start > 0 || run.hasOlder };
  }
  const end = Math.min(sorted.length, i + 1 + limit);
  return { records: sorted.slice(i + 1, end), more: end < sorted.length || run.hasNewer };
}

export type ConversationWindow = ReturnType<typeof createConversationWindow>;

export function createConversationWindow(deps: {
  api: Pick<Api, "messages">;
  id: string;
  history?: HistoryCache;
  /** Offline, where else the device may hold the message: its segment documents (see local-search.ts). */
  localRuns?: () => Promise<CachedRun[]>;
  /** Do not ask the server (the browser is offline, or I am no longer a member). */
  cutOff: () => boolean;
  /** Every page the server sent, as it arrives (its messages' reactions: page-reactions.ts). */
  onPage?: (messages: readonly Message[]) => void;
}) {
  const { api, id } = deps;
  const [records, setRecords] = createSignal<MessageRecord[] | null>(null);
  const [hasOlder, setHasOlder] = createSignal(false);
  const [hasNewer, setHasNewer] = createSignal(false);
  const [loading, setLoading] = createSignal<"older" | "newer" | null>(null);
  const [error, setError] = createSignal<unknown>(null);
  /** Bumped when the window opens elsewhere or closes: pages for the old one are dropped. */
  let generation = 0;

  const save = () => {
    const list = records();
    if (list && list.length > 0)
      void deps.history?.update(id, (c) => withRun(c, { records: list, hasOlder: hasOlder(), hasNewer: hasNewer() }));
  };

  /** A page from the server, or null when it cannot be reached (then the cache answers). */
  async function fetchPage(params: { before?: string; after?: string; around?: string }): Promise<MessagesPage | null> {
    if (deps.cutOff()) return null;
    try {
      const page = await api.messages(id, { ...params, limit: WINDOW_PAGE_SIZE });
      deps.onPage?.(page.messages);
      return page;
    } catch (err) {
      if (err instanceof ApiError && err.code === NETWORK_ERROR) return null;
      throw err;
    }
  }

  async function cachedRun(messageId: string): Promise<CachedRun | null> {
    return runWith((await deps.history?.read(id)) ?? null, messageId);
  }

  /** The cached stretch holding the message, else a segment document on this device that holds it. */
  async function localRun(messageId: string): Promise<CachedRun | null> {
    const cached = await cachedRun(messageId);
    if (cached) return cached;
    const runs = (await deps.localRuns?.().catch(() => [])) ?? [];
    return runs.find((run) => run.records.some((r) => r.id === messageId)) ?? null;
  }

  /** Opens the window at a message: true when it holds the message. */
  async function open(messageId: string): Promise<boolean> {
    const gen = ++generation;
    setError(null);
    try {
      const page = await fetchPage({ around: messageId });
      if (gen !== generation) return false;
      if (page) {
        // One change: whoever watches the window (it may merge at once) sees its flags with its records.
        batch(() => {
          setRecords(page.messages.map(recordFromMessage));
          setHasOlder(page.hasMore);
          setHasNewer(page.hasNewer);
        });
        save();
        return page.messages.some((m) => m.id === messageId);
      }
      const run = await localRun(messageId);
      if (gen !== generation || !run) return false;
      // The whole cached stretch: it is bounded, and nothing more can be fetched now.
      batch(() => {
        setRecords([...run.records].sort(compareMessages));
        setHasOlder(run.hasOlder);
        setHasNewer(run.hasNewer);
      });
      return true;
    } catch (err) {
      if (gen === generation) setError(err);
      return false;
    }
  }

  async function load(direction: "before" | "after") {
    const list = records();
    if (!list || list.length === 0 || loading()) return;
    if (direction === "before" ? !hasOlder() : !hasNewer()) return;
    const edge = (direction === "before" ? list[0] : list[list.length - 1]) as MessageRecord;
    const gen = generation;
    setLoading(direction === "before" ? "older" : "newer");
    setError(null);
    try {
      const page = await fetchPage({ [direction]: edge.id });
      let got: { records: MessageRecord[]; more: boolean } | null = null;
      if (page)
        got = {
          records: page.messages.map(recordFromMessage),
          more: direction === "before" ? page.hasMore : page.hasNewer,
        };
      else {
        const run = await cachedRun(edge.id);
        got = run ? runPage(run, edge.id, direction, WINDOW_PAGE_SIZE) : null;
        if (!got || got.records.length === 0) throw new ApiError(0, NETWORK_ERROR);
      }
      if (gen !== generation) return;
      batch(() => {
        setRecords((prev) => mergeMessages([prev ?? [], got.records]));
        if (direction === "before") setHasOlder(got.more);
        else setHasNewer(got.more);
      });
      if (page) save();
    } catch (err) {
      if (gen === generation) setError(err);
    } finally {
      if (gen === generation) setLoading(null);
    }
  }

  function close() {
    generation++;
    setRecords(null);
    setLoading(null);
    setError(null);
  }

  return {
    /** The window's messages, oldest first; null when the conversation shows its attached timeline. */
    records,
    hasOlder,
    /** Newer messages exist that are neither in the window nor in the attached timeline. */
    hasNewer,
    loading,
    error,
    open,
    loadOlder: () => load("before"),
    loadNewer: () => load("after"),
    close,
    /** Ends the window, handing over what it held (to merge into the attached timeline). */
    take(): { records: MessageRecord[]; hasOlder: boolean } {
      const taken = { records: records() ?? [], hasOlder: hasOlder() };
      close();
      return taken;
    },
  };
}
