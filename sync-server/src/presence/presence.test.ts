import type { PresenceFrame } from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { openTestStore } from "../store/open-test-store.js";
import { rawSql } from "../store/raw-sql.js";
import { createPresence } from "./presence.js";

async function setUp() {
  const { store } = await openTestStore();
  let now = 1_700_000_000_000;
  const clock = () => now;
  const presence = createPresence(store, clock, { flushMs: 60_000 });
  onTestFinished(() => presence.close());
  const frames: PresenceFrame[] = [];
  return { presence, frames, store, clock, tick: (ms: number) => (now += ms), now: () => now };
}

describe("presence", () => {
  it("a user is online while any socket is open and records last seen when the last closes", async () => {
    const { presence, store, clock, tick, now } = await setUp();
    presence.connect("alice");
    presence.connect("alice");
    presence.disconnect("alice");
    expect(presence.isOnline("alice")).toBe(true);
    expect(await presence.lastSeenAt("alice")).toBeNull();
    tick(5_000);
    presence.disconnect("alice");
    expect(presence.isOnline("alice")).toBe(false);
    expect(await presence.lastSeenAt("alice")).toBe(now());
    expect(presence.onlineUserIds()).toEqual([]);
    // Recorded in the store: once the writes landed, another process reads the same time.
    await presence.close();
    const elsewhere = createPresence(store, clock, { flushMs: 60_000 });
    onTestFinished(() => elsewhere.close());
    expect(await elsewhere.lastSeenAt("alice")).toBe(now());
    expect(await elsewhere.lastSeenAt("bob")).toBeNull();
  });

  it("subscribers get a snapshot, then one coalesced frame per flush", async () => {
    const { presence, frames } = await setUp();
    presence.connect("alice");
    presence.subscribe((f) => frames.push(f));
    expect(frames).toEqual([{ full: true, online: ["alice"], offline: [] }]);
    presence.connect("bob");
    presence.connect("carol");
    presence.disconnect("carol");
    await presence.flush();
    expect(frames).toHaveLength(2);
    expect(frames[1]?.full).toBe(false);
    expect(frames[1]?.online).toContain("bob");
    expect(frames[1]?.offline.map(([id]) => id)).toEqual(["carol"]);
    await presence.flush();
    expect(frames).toHaveLength(2);
  });

  it("announces created or renamed accounts in the next flush, once, as stored and without email", async () => {
    const { presence, frames, store } = await setUp();
    // better-auth's table, reduced to the columns the directory reads (and an email it must not).
    await rawSql(
      store,
      `CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT NOT NULL, username TEXT, email TEXT NOT NULL)`,
    );
    await rawSql(store, `INSERT INTO "user" (id, name, username, email) VALUES (?, ?, ?, ?)`, [
      "nina",
      "Nina",
      "nina",
      "nina@example.com",
    ]);
    presence.subscribe((f) => frames.push(f));
    presence.connect("nina");
    presence.userChanged("nina");
    presence.userChanged("nina");
    presence.userChanged("rolled-back"); // no row: skipped
    await rawSql(store, `UPDATE "user" SET name = ? WHERE id = ?`, ["Nina Novak", "nina"]);
    await presence.flush();
    expect(frames[1]).toEqual({
      full: false,
      online: ["nina"],
      offline: [],
      users: [{ id: "nina", name: "Nina Novak", username: "nina", online: true, lastSeenAt: null }],
    });
    presence.userChanged("rolled-back");
    await presence.flush();
    expect(frames).toHaveLength(2);
  });

  it("an extra disconnect does not make anyone go negative", async () => {
    const { presence } = await setUp();
    presence.disconnect("ghost");
    presence.connect("ghost");
    expect(presence.isOnline("ghost")).toBe(true);
  });
});
