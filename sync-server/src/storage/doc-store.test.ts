import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import * as Y from "yjs";
import { openDatabase } from "../db/database.js";
import { createDocStore } from "./doc-store.js";

function tempStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doc-store-"));
  const file = path.join(dir, "db.sqlite");
  const db = openDatabase(file);
  onTestFinished(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, file, store: createDocStore(db, () => 1_700_000_000_000) };
}

const load = (updates: Uint8Array[]) => {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getMap("m").toJSON();
};

describe("doc store", () => {
  it("loads nothing for a document never stored", () => {
    const { store } = tempStore();
    expect(store.load("conversation.x.0")).toEqual({ updates: [], lastUpdateId: 0, logLength: 0 });
    expect(store.has("conversation.x.0")).toBe(false);
  });

  it("appends updates and loads them back in order", () => {
    const { store } = tempStore();
    const doc = new Y.Doc();
    doc.on("update", (u: Uint8Array) => store.append("d", u));
    doc.getMap("m").set("a", 1);
    doc.getMap("m").set("b", 2);
    const stored = store.load("d");
    expect(stored.logLength).toBe(2);
    expect(load(stored.updates)).toEqual({ a: 1, b: 2 });
    expect(store.has("d")).toBe(true);
  });

  it("compaction folds the log into a snapshot; later updates load after it", () => {
    const { store, db } = tempStore();
    const doc = new Y.Doc();
    let last = 0;
    doc.on("update", (u: Uint8Array) => {
      last = store.append("d", u);
    });
    for (let i = 0; i < 10; i++) doc.getMap("m").set(`k${i}`, i);
    store.compact("d", Y.encodeStateAsUpdate(doc), last);
    expect(db.prepare("SELECT count(*) AS n FROM doc_update").get()).toEqual({ n: 0 });
    doc.getMap("m").set("after", true);
    const stored = store.load("d");
    expect(stored.logLength).toBe(1);
    expect(stored.updates).toHaveLength(2);
    expect(load(stored.updates)).toMatchObject({ k0: 0, k9: 9, after: true });
  });

  it("a failed transaction stores nothing", () => {
    const { store } = tempStore();
    expect(() =>
      store.transaction(() => {
        store.append("d", new Uint8Array([0, 0]));
        store.claimClient("d", 7, "alice");
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.load("d").updates).toEqual([]);
    expect(store.clients("d").size).toBe(0);
  });

  it("keeps the first owner of a client id and survives reopening the file", () => {
    const { store, file } = tempStore();
    store.claimClient("d", 7, "alice");
    store.claimClient("d", 7, "mallory");
    store.claimClient("other", 7, "bob");
    expect(store.clients("d")).toEqual(new Map([[7, "alice"]]));
    const again = openDatabase(file);
    expect(createDocStore(again, () => 0).clients("other")).toEqual(new Map([[7, "bob"]]));
    again.close();
  });
});
