import type { PresenceFrame } from "@messenger/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { openDatabase } from "../db/database.js";
import { createPresence } from "./presence.js";

function setUp() {
  const db = openDatabase(":memory:");
  let now = 1_700_000_000_000;
  const presence = createPresence(db, () => now, { flushMs: 60_000 });
  onTestFinished(() => {
    presence.close();
    db.close();
  });
  const frames: PresenceFrame[] = [];
  return { presence, frames, db, tick: (ms: number) => (now += ms), now: () => now };
}

describe("presence", () => {
  it("a user is online while any socket is open and records last seen when the last closes", () => {
    const { presence, tick, now } = setUp();
    presence.connect("alice");
    presence.connect("alice");
    presence.disconnect("alice");
    expect(presence.isOnline("alice")).toBe(true);
    expect(presence.lastSeenAt("alice")).toBeNull();
    tick(5_000);
    presence.disconnect("alice");
    expect(presence.isOnline("alice")).toBe(false);
    expect(presence.lastSeenAt("alice")).toBe(now());
    expect(presence.onlineUserIds()).toEqual([]);
  });

  it("subscribers get a snapshot, then one coalesced frame per flush", () => {
    const { presence, frames } = setUp();
    presence.connect("alice");
    presence.subscribe((f) => frames.push(f));
    expect(frames).toEqual([{ full: true, online: ["alice"], offline: [] }]);
    presence.connect("bob");
    presence.connect("carol");
    presence.disconnect("carol");
    presence.flush();
    expect(frames).toHaveLength(2);
    expect(frames[1]?.full).toBe(false);
    expect(frames[1]?.online).toContain("bob");
    expect(frames[1]?.offline.map(([id]) => id)).toEqual(["carol"]);
    presence.flush();
    expect(frames).toHaveLength(2);
  });

  it("announces created or renamed accounts in the next flush, once, as stored and without email", () => {
    const { presence, frames, db } = setUp();
    // better-auth's table, reduced to the columns the directory reads (and an email it must not).
    db.exec(`CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT NOT NULL, username TEXT, email TEXT NOT NULL)`);
    const insert = db.prepare(`INSERT INTO "user" (id, name, username, email) VALUES (?, ?, ?, ?)`);
    insert.run("nina", "Nina", "nina", "nina@example.com");
    presence.subscribe((f) => frames.push(f));
    presence.connect("nina");
    presence.userChanged("nina");
    presence.userChanged("nina");
    presence.userChanged("rolled-back"); // no row: skipped
    db.prepare(`UPDATE "user" SET name = ? WHERE id = ?`).run("Nina Novak", "nina");
    presence.flush();
    expect(frames[1]).toEqual({
      full: false,
      online: ["nina"],
      offline: [],
      users: [{ id: "nina", name: "Nina Novak", username: "nina", online: true, lastSeenAt: null }],
    });
    presence.userChanged("rolled-back");
    presence.flush();
    expect(frames).toHaveLength(2);
  });

  it("an extra disconnect does not make anyone go negative", () => {
    const { presence } = setUp();
    presence.disconnect("ghost");
    presence.connect("ghost");
    expect(presence.isOnline("ghost")).toBe(true);
  });
});
