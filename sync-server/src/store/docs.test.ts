/**
 * The document log on the store of TEST_STORE, beyond the contract test (store.contract.test.ts):
 * real Yjs updates through compaction, a transaction abandoned by its own code, and client-id
 * owners kept across a reopen.
 */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { openTestStore } from "./open-test-store.js";
import { rawSql } from "./raw-sql.js";
import type { Store } from "./types.js";

/** The map "m" of a document made of `updates`. */
const contentOf = (updates: Uint8Array[]) => {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getMap("m").toJSON();
};

/** A Yjs document whose every update is appended to `name` in the store, one transaction per flush. */
function loggedDoc(store: Store, name: string) {
  const doc = new Y.Doc();
  const pending: Uint8Array[] = [];
  let seq = 0;
  doc.on("update", (u: Uint8Array) => void pending.push(u));
  return {
    doc,
    lastSeq: () => seq,
    flush: () =>
      store.transaction(async (tx) => {
        for (const u of pending.splice(0)) await tx.append(name, ++seq, u);
      }),
  };
}

const logRows = async (store: Store, doc: string) =>
  (await rawSql<{ n: number }>(store, "SELECT CAST(count(*) AS INTEGER) AS n FROM doc_update WHERE doc = ?", [doc]))[0]
    ?.n;

describe("the document log", () => {
  it("compaction deletes the log rows it folds; Yjs updates after it load after the snapshot", async () => {
    const { store } = await openTestStore();
    const logged = loggedDoc(store, "d");
    for (let i = 0; i < 10; i++) logged.doc.getMap("m").set(`k${i}`, i);
    await logged.flush();
    expect(await logRows(store, "d")).toBe(10);
    await store.docs.compact("d", Y.encodeStateAsUpdate(logged.doc), logged.lastSeq());
    expect(await logRows(store, "d")).toBe(0);
    logged.doc.getMap("m").set("after", true);
    await logged.flush();
    const stored = await store.docs.load("d");
    expect(stored.logLength).toBe(1);
    expect(stored.lastSeq).toBe(11);
    expect(stored.updates).toHaveLength(2);
    expect(contentOf(stored.updates)).toEqual({
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])),
      after: true,
    });
  });

  it("a transaction whose own code throws stores nothing, rejects with that error, and leaves the store usable", async () => {
    const { store } = await openTestStore();
    const failed = store.transaction(async (tx) => {
      await tx.append("d", 1, new Uint8Array([0, 0]));
      await tx.claimClient("d", 7, "alice");
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    expect(await store.docs.load("d")).toEqual({ updates: [], lastSeq: 0, logLength: 0, clients: new Map() });
    await store.transaction((tx) => tx.append("d", 1, new Uint8Array([0, 0])));
    expect((await store.docs.load("d")).lastSeq).toBe(1);
  });

  it("keeps the first owner of a client id across reopening the database", async () => {
    const place = await openTestStore();
    await place.store.transaction(async (tx) => {
      await tx.claimClient("d", 7, "alice");
      await tx.claimClient("other", 7, "bob");
    });
    const refused = await place.store
      .transaction(async (tx) => {
        await tx.claimClient("d", 7, "mallory");
        await tx.conversation("none");
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: "client", userId: "mallory" });
    await place.close(place.store);
    const again = await place.reopen();
    expect((await again.docs.load("d")).clients).toEqual(new Map([[7, "alice"]]));
    expect((await again.docs.load("other")).clients).toEqual(new Map([[7, "bob"]]));
  });
});
