/**
 * What a reply's quote shows: the original message as this device knows it now (so an edit
 * or a deletion of the original shows in every reply to it), read from the open timeline,
 * else fetched once from the server (the page `around` it), else "not available". Never the
 * replier's word for it: a reply stores only the original's id.
 */
import { type MessageRecord, PREVIEW_LENGTH } from "@messenger/shared";
import { createSignal } from "solid-js";
import { type Api, ApiError } from "./api.js";
import { recordFromMessage } from "./messages.js";

export type QuoteView =
  | { state: "found"; id: string; authorId: string; text: string }
  | { state: "deleted"; id: string; authorId: string }
  | { state: "loading"; id: string }
  | { state: "unavailable"; id: string };

/** The quote of a known record: a preview of its text, or that it was deleted. */
export function quoteOf(r: MessageRecord): QuoteView {
  if (r.deletedAt !== undefined) return { state: "deleted", id: r.id, authorId: r.author };
  const text = r.text.length > PREVIEW_LENGTH ? `${r.text.slice(0, PREVIEW_LENGTH - 1)}…` : r.text;
  return { state: "found", id: r.id, authorId: r.author, text };
}

export function createQuotes(deps: {
  /** The record if the timeline holds it (reactive). */
  local: (id: string) => MessageRecord | undefined;
  /** The record from the server or a cache; null when it does not exist; throws when it cannot be reached. */
  fetch: (id: string) => Promise<MessageRecord | null>;
}) {
  const [fetched, setFetched] = createSignal<ReadonlyMap<string, MessageRecord | null | "loading" | "failed">>(
    new Map(),
  );
  const settle = (id: string, value: MessageRecord | null | "failed") =>
    setFetched((prev) => new Map(prev).set(id, value));

  return {
    quote(id: string): QuoteView {
      const here = deps.local(id);
      if (here) return quoteOf(here);
      const got = fetched().get(id);
      if (got === undefined) {
        queueMicrotask(() => {
          if (fetched().has(id)) return;
          setFetched((prev) => new Map(prev).set(id, "loading"));
          deps.fetch(id).then(
            (r) => settle(id, r),
            () => settle(id, "failed"),
          );
        });
        return { state: "loading", id };
      }
      if (got === "loading") return { state: "loading", id };
      if (got === "failed" || got === null) return { state: "unavailable", id };
      return quoteOf(got);
    },
    /** Forgets failed lookups (back online: try them again). */
    retry() {
      setFetched((prev) => new Map([...prev].filter(([, v]) => v !== "failed")));
    },
  };
}

/** An original from the server: the one-message page `around` it; null when it does not exist (404). */
export function fetchOriginal(api: Pick<Api, "messages">, conversationId: string) {
  return async (id: string): Promise<MessageRecord | null> => {
    try {
      const page = await api.messages(conversationId, { around: id, limit: 1 });
      const m = page.messages.find((x) => x.id === id);
      return m ? recordFromMessage(m) : null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  };
}
