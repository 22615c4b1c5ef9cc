import { addMessage } from "@messenger/shared";
import { type Accessor, createRoot, createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { Api } from "./api.js";
import { ApiError } from "./api.js";
import type { StopReason } from "./close-policy.js";
import { type KeyValueStore, userKey } from "./local-data.js";
import { memoryStore } from "./memory-store.js";
import type { Outbox, OutboxEntry } from "./outbox.js";
import { createOutboxRunner, MAX_BACKGROUND_DOCS, settleStopped } from "./outbox-runner.js";
import type { DocHandle, Sync } from "./sync.js";

// Node resolves solid-js to its server build, where effects never run: use the reactive one.
// reason: solid-js ships no declaration file for its dist path; the module is solid-js itself.
vi.mock("solid-js", async () => (await import("solid-js/dist/solid.js" as string)) as typeof import("solid-js"));

const ME = "u1";
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A document as sync.ts would hand it out, driven by the test: load, sync, confirm, stop. */
function fakeHandle(name: string) {
  const [loaded, setLoaded] = createSignal(false);
  const [synced, setSynced] = createSignal(false);
  const [pending, setPending] = createSignal<ReadonlySet<string>>(new Set());
  const [failure, setFailure] = createSignal<StopReason | null>(null);
  const handle = {
    name,
    doc: new Y.Doc(),
    loaded,
    synced,
    connected: synced,
    failure,
    pending,
    markWritten: (id: string) => setPending((p) => new Set([...p, id])),
  } as unknown as DocHandle;
  return {
    handle,
    load: () => setLoaded(true),
    /** The relay answered: everything pending is confirmed. */
    confirm: () => {
      setSynced(true);
      setPending(new Set<string>());
    },
    stop: (reason: StopReason) => setFailure(reason),
  };
}

function fakeSync() {
  const docs = new Map<string, ReturnType<typeof fakeHandle>>();
  const refs = new Map<string, number>();
  const sync = {
    acquire(name: string) {
      refs.set(name, (refs.get(name) ?? 0) + 1);
      let d = docs.get(name);
      if (!d) {
        d = fakeHandle(name);
        docs.set(name, d);
      }
      return d.handle;
    },
    release(name: string) {
      refs.set(name, (refs.get(name) ?? 0) - 1);
    },
  } as unknown as Sync;
  const held = () => Array.from(refs).flatMap(([name, n]) => (n > 0 ? [name] : []));
  return { sync, docs, held };
}

function fakeOutbox(initial: OutboxEntry[]) {
  const [entries, setEntries] = createSignal<readonly OutboxEntry[]>(initial);
  const outbox: Outbox = {
    entries: entries as Accessor<readonly OutboxEntry[]>,
    write: async (e) => void setEntries((list) => [...list.filter((x) => x.id !== e.id), e]),
    remove: async (ids) => void setEntries((list) => list.filter((e) => !ids.includes(e.id))),
    fail: async (ids, failed) =>
      void setEntries((list) => list.map((e) => (ids.includes(e.id) ? { ...e, failed } : e))),
    close: () => {},
  };
  return outbox;
}

const entry = (id: string, docName = "conversation.c1.0"): OutboxEntry => ({
  id: `${id}aaaaaaaa`,
  conversationId: docName.split(".")[1] ?? "c1",
  docName,
  kind: "message",
  text: `text of ${id}`,
  createdAt: 1_700_000_000_000,
});

function run(deps: { sync: Sync; outbox: Outbox; api?: Partial<Api>; store?: KeyValueStore }) {
  return createRoot((dispose) => {
    createOutboxRunner({
      sync: deps.sync,
      outbox: deps.outbox,
      api: (deps.api ?? {}) as Api,
      userId: ME,
      store: deps.store ?? memoryStore(),
    });
    return dispose;
  });
}

describe("the outbox runner", () => {
  beforeEach(() => {
    vi.stubGlobal("window", new EventTarget());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("opens a document with unsent messages, hands their ids to its tracker, and lets go once they are confirmed", async () => {
    const { sync, docs, held } = fakeSync();
    const outbox = fakeOutbox([entry("m1")]);
    const stop = run({ sync, outbox });
    expect(held()).toEqual(["conversation.c1.0"]);
    const doc = docs.get("conversation.c1.0");
    if (!doc) throw new Error("not opened");
    addMessage(doc.handle.doc, { id: "m1aaaaaaaa", author: ME, text: "text of m1", createdAt: 1_700_000_000_000 });
    doc.load();
    expect([...doc.handle.pending()]).toEqual(["m1aaaaaaaa"]);
    doc.confirm();
    await settle();
    expect(held()).toEqual([]);
    expect(outbox.entries()).toEqual([]);
    stop();
  });

  it("opens documents a closed tab left pending, with no outbox entry", async () => {
    const { sync, held } = fakeSync();
    const store = memoryStore();
    store.setItem(userKey(ME, "pending:conversation.c9.3"), JSON.stringify(["m9aaaaaaaa"]));
    const stop = run({ sync, outbox: fakeOutbox([]), store });
    expect(held()).toEqual(["conversation.c9.3"]);
    stop();
  });

  it("posts a message missing from the local copy over HTTP, with its id and createdAt", async () => {
    const { sync, docs, held } = fakeSync();
    const outbox = fakeOutbox([entry("m1")]);
    const postMessage = vi.fn(async () => ({}) as never);
    const stop = run({ sync, outbox, api: { postMessage } });
    docs.get("conversation.c1.0")?.load();
    expect(postMessage).toHaveBeenCalledWith("c1", {
      id: "m1aaaaaaaa",
      text: "text of m1",
      createdAt: 1_700_000_000_000,
    });
    await settle();
    expect(outbox.entries()).toEqual([]);
    docs.get("conversation.c1.0")?.confirm();
    await settle();
    expect(held()).toEqual([]);
    stop();
  });

  it("marks a message the server refuses over HTTP as failed, and keeps one that met a network error", async () => {
    const { sync, docs } = fakeSync();
    const outbox = fakeOutbox([entry("m1"), entry("m2", "conversation.c2.0")]);
    const postMessage = vi.fn(async (conversationId: string) => {
      throw conversationId === "c1" ? new ApiError(403, "FORBIDDEN") : new ApiError(0, "NETWORK");
    });
    const stop = run({ sync, outbox, api: { postMessage } });
    docs.get("conversation.c1.0")?.load();
    docs.get("conversation.c2.0")?.load();
    await settle();
    expect(outbox.entries().map((e) => [e.id, e.failed])).toEqual([
      ["m1aaaaaaaa", "forbidden"],
      ["m2aaaaaaaa", undefined],
    ]);
    stop();
  });

  it(`opens at most ${MAX_BACKGROUND_DOCS} documents at once, and the next as one finishes`, async () => {
    const { sync, docs, held } = fakeSync();
    const names = ["a", "b", "c", "d", "e"].map((c) => `conversation.${c}.0`);
    const outbox = fakeOutbox(names.map((name, i) => entry(`m${i}`, name)));
    const stop = run({ sync, outbox });
    expect(held()).toEqual(names.slice(0, MAX_BACKGROUND_DOCS));
    const first = docs.get(names[0] as string);
    if (!first) throw new Error("not opened");
    addMessage(first.handle.doc, { id: "m0aaaaaaaa", author: ME, text: "x", createdAt: 1_700_000_000_000 });
    first.load();
    first.confirm();
    await settle();
    expect(held()).toEqual(names.slice(1, MAX_BACKGROUND_DOCS + 1));
    stop();
  });

  it("lets go of a document that stopped syncing without calling its messages delivered", async () => {
    const { sync, docs, held } = fakeSync();
    const outbox = fakeOutbox([entry("m1")]);
    const stop = run({ sync, outbox });
    docs.get("conversation.c1.0")?.stop("write-rejected");
    await settle();
    expect(held()).toEqual([]);
    expect(outbox.entries()).toHaveLength(1);
    stop();
  });
});

describe("settleStopped", () => {
  it("posts the stopped document's new messages over HTTP and marks its edits failed", async () => {
    const outbox = fakeOutbox([entry("m1"), { ...entry("m2"), kind: "edit" }, entry("m3", "conversation.c2.0")]);
    const postMessage = vi.fn(async () => ({}) as never);
    await settleStopped(outbox, { postMessage } as unknown as Api, "conversation.c1.0", "write-rejected");
    expect(postMessage).toHaveBeenCalledTimes(1);
    expect(outbox.entries().map((e) => [e.id, e.failed])).toEqual([
      ["m2aaaaaaaa", "write-rejected"],
      ["m3aaaaaaaa", undefined],
    ]);
  });
});
