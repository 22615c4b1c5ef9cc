import { describe, expect, it } from "vitest";
import {
  clearUserKeys,
  databasesToDelete,
  LAST_SESSION_KEY,
  openedDocs,
  recordOpenedDoc,
  userKey,
} from "./local-data.js";
import { memoryStore } from "./memory-store.js";

describe("opened documents", () => {
  it("records each document once per user", () => {
    const store = memoryStore();
    recordOpenedDoc(store, "u1", "inbox.u1");
    recordOpenedDoc(store, "u1", "conversation.c1.0");
    recordOpenedDoc(store, "u1", "inbox.u1");
    expect(openedDocs(store, "u1")).toEqual(["inbox.u1", "conversation.c1.0"]);
    expect(openedDocs(store, "u2")).toEqual([]);
  });
});

describe("databasesToDelete", () => {
  it("deletes the recorded documents of the user", () => {
    const store = memoryStore();
    recordOpenedDoc(store, "u1", "inbox.u1");
    recordOpenedDoc(store, "u1", "conversation.c1.0");
    expect(databasesToDelete(store, "u1", null)).toEqual(["inbox.u1", "conversation.c1.0"]);
  });

  it("also deletes unrecorded document databases the browser lists, but not other users' ones", () => {
    const store = memoryStore();
    recordOpenedDoc(store, "u1", "inbox.u1");
    recordOpenedDoc(store, "u2", "conversation.c2.0");
    const existing = ["inbox.u1", "conversation.c9.3", "conversation.c2.0", "inbox.u2", "some-other-db"];
    expect(databasesToDelete(store, "u1", existing).sort()).toEqual(["conversation.c9.3", "inbox.u1"]);
  });
});

describe("clearUserKeys", () => {
  it("removes the user's keys and their last-session record and leaves other users alone", () => {
    const store = memoryStore();
    store.setItem(userKey("u1", "users"), "[]");
    store.setItem(userKey("u1", "docs"), "[]");
    store.setItem(userKey("u2", "users"), "[]");
    store.setItem(LAST_SESSION_KEY, JSON.stringify({ user: { id: "u1" } }));
    clearUserKeys(store, "u1");
    expect(Array.from(store.data.keys())).toEqual([userKey("u2", "users")]);
  });

  it("keeps the last-session record of someone else", () => {
    const store = memoryStore();
    store.setItem(LAST_SESSION_KEY, JSON.stringify({ user: { id: "u2" } }));
    clearUserKeys(store, "u1");
    expect(store.getItem(LAST_SESSION_KEY)).not.toBeNull();
  });
});
