/**
 * Message search without the server: what this device holds — every conversation segment
 * document kept in y-indexeddb for the user and the history cache (older pages and the
 * stretches opened at a message) — matched with the shared `matchesTokens`, so a query
 * finds here what the server's index finds for the same messages.
 */
import {
  compareMessages,
  type MessageRecord,
  messagesMap,
  parseDocName,
  SYSTEM_AUTHOR,
  searchTokens,
  searchWordIndex,
  type WordIndex,
  wordIndex,
} from "@messenger/shared";
import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import { type CachedHistory, type CachedRun, cachedRecords } from "./history-cache.js";
import { type KeyValueStore, openedDocs } from "./local-data.js";
import { mergeMessages } from "./messages.js";

/** A message found by a search, with its conversation (the server's hits take this shape too). */
export interface FoundMessage {
  conversationId: string;
  record: MessageRecord;
}

/** One conversation's messages as the device holds them (possibly repeated across sources). */
export interface CorpusPart {
  conversationId: string;
  records: readonly MessageRecord[];
}

/** Newest first: the order of the server's results. */
export const newestFirst = (a: FoundMessage, b: FoundMessage): number => compareMessages(b.record, a.record);

/**
 * What the device holds, ready to search many times: each message once (its newest revision
 * wins, so an edit or a deletion the device knows of counts), newest first, its words folded
 * once. Deleted messages and system lines are left out: there is nothing of theirs to show.
 */
export function prepareCorpus(corpus: readonly CorpusPart[]): WordIndex<FoundMessage> {
  const byConversation = new Map<string, Array<readonly MessageRecord[]>>();
  for (const part of corpus) {
    const list = byConversation.get(part.conversationId) ?? [];
    list.push(part.records);
    byConversation.set(part.conversationId, list);
  }
  const found: FoundMessage[] = [];
  for (const [conversationId, sources] of byConversation)
    for (const record of mergeMessages(sources))
      if (record.deletedAt === undefined && record.author !== SYSTEM_AUTHOR) found.push({ conversationId, record });
  return wordIndex(found.sort(newestFirst), (f) => f.record.text);
}

/** The messages that match every token (`matchesTokens`), newest first. */
export function searchCorpus(corpus: readonly CorpusPart[], tokens: readonly string[]): FoundMessage[] {
  return searchWordIndex(prepareCorpus(corpus), tokens);
}

/** Where the device's messages are (a seam: tests pass fakes). */
export interface LocalSources {
  /** Conversation segment documents this device keeps. */
  documents(): string[];
  readDocument(name: string): Promise<MessageRecord[]>;
  /** Conversations whose history cache to read. */
  conversationIds(): string[];
  readHistory(conversationId: string): Promise<CachedHistory | null>;
}

/** Everything the sources hold, per conversation; a source that fails to read counts as empty. */
export async function loadCorpus(sources: LocalSources): Promise<CorpusPart[]> {
  const docs = sources.documents().flatMap((name) => {
    const parsed = parseDocName(name);
    return parsed?.kind === "conversation" ? [{ name, conversationId: parsed.conversationId }] : [];
  });
  const ids = new Set([...sources.conversationIds(), ...docs.map((d) => d.conversationId)]);
  const parts = await Promise.all([
    ...docs.map(async (d) => ({
      conversationId: d.conversationId,
      records: await sources.readDocument(d.name).catch(() => []),
    })),
    ...Array.from(ids, async (conversationId) => ({
      conversationId,
      records: cachedRecords(await sources.readHistory(conversationId).catch(() => null)),
    })),
  ]);
  return parts.filter((p) => p.records.length > 0);
}

/** How long a loaded corpus answers further queries (typing) before it is read again. */
export const CORPUS_TTL_MS = 15_000;

export type LocalSearch = ReturnType<typeof createLocalSearch>;

/** Searches the device; the corpus is read once and reused while queries keep coming. */
export function createLocalSearch(sources: LocalSources, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  let corpus: { at: number; prepared: Promise<WordIndex<FoundMessage>> } | null = null;
  return {
    async search(query: string): Promise<FoundMessage[]> {
      const tokens = searchTokens(query);
      if (tokens.length === 0) return [];
      if (!corpus || now() - corpus.at > CORPUS_TTL_MS)
        corpus = { at: now(), prepared: loadCorpus(sources).then(prepareCorpus) };
      return searchWordIndex(await corpus.prepared, tokens);
    },
    /** Reads the device again at the next query. */
    forget() {
      corpus = null;
    },
  };
}

/** A segment document's messages from its y-indexeddb copy, without a socket. */
export async function readPersistedDocument(name: string): Promise<MessageRecord[]> {
  if (typeof indexedDB === "undefined") return [];
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  try {
    await persistence.whenSynced;
    return Array.from(messagesMap(doc).values());
  } finally {
    await persistence.destroy();
    doc.destroy();
  }
}

/**
 * A conversation's segment documents kept on this device, each as a cached run (a segment is a
 * contiguous stretch: older ones exist before any but segment 0, newer ones after it), for opening
 * at a message offline that only a segment document holds.
 */
export async function persistedSegmentRuns(
  userId: string,
  conversationId: string,
  store: KeyValueStore = localStorage,
  read: (name: string) => Promise<MessageRecord[]> = readPersistedDocument,
): Promise<CachedRun[]> {
  const segments = openedDocs(store, userId).flatMap((name) => {
    const parsed = parseDocName(name);
    return parsed?.kind === "conversation" && parsed.conversationId === conversationId
      ? [{ name, segment: parsed.segment }]
      : [];
  });
  const runs = await Promise.all(
    segments.map(async (s) => ({
      records: (await read(s.name).catch(() => [])).sort(compareMessages),
      hasOlder: s.segment > 0,
      hasNewer: true,
    })),
  );
  return runs.filter((r) => r.records.length > 0);
}

/** The device's sources for a signed-in user: the documents they opened here, and their history cache. */
export function deviceSources(deps: {
  userId: string;
  history: { read(conversationId: string): Promise<CachedHistory | null> };
  conversationIds: () => string[];
  store?: KeyValueStore;
}): LocalSources {
  return {
    documents: () => openedDocs(deps.store ?? localStorage, deps.userId),
    readDocument: readPersistedDocument,
    conversationIds: deps.conversationIds,
    readHistory: (id) => deps.history.read(id),
  };
}
