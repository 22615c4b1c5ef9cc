import { describe, expect, it } from "vitest";
import { applyPresenceFrame, newlyAnnounced, type Profile, parsePresenceFrame, resolvePresence } from "./presence.js";

describe("applyPresenceFrame", () => {
  it("marks the users of a full snapshot online", () => {
    const state = applyPresenceFrame(new Map(), { full: true, online: ["a", "b"], offline: [] });
    expect(state.get("a")).toEqual({ online: true, lastSeenAt: null });
    expect(state.get("b")?.online).toBe(true);
  });

  it("turns everyone missing from a full snapshot offline but keeps their last-seen time", () => {
    let state = applyPresenceFrame(new Map(), { full: false, online: [], offline: [["a", 1000]] });
    state = applyPresenceFrame(state, { full: false, online: ["a", "b"], offline: [] });
    state = applyPresenceFrame(state, { full: true, online: ["b"], offline: [] });
    expect(state.get("a")).toEqual({ online: false, lastSeenAt: 1000 });
    expect(state.get("b")?.online).toBe(true);
  });

  it("applies a change frame only to the users it names", () => {
    let state = applyPresenceFrame(new Map(), { full: true, online: ["a", "b"], offline: [] });
    state = applyPresenceFrame(state, { full: false, online: [], offline: [["a", 5000]] });
    expect(state.get("a")).toEqual({ online: false, lastSeenAt: 5000 });
    expect(state.get("b")?.online).toBe(true);
  });

  it("gives an announced account its profile and keeps it through later presence changes", () => {
    let state = applyPresenceFrame(new Map(), { full: true, online: ["a"], offline: [] });
    state = applyPresenceFrame(state, {
      full: false,
      online: [],
      offline: [],
      users: [
        { id: "a", name: "Ann", username: "ann", online: false, lastSeenAt: null },
        { id: "n", name: "Nina", username: "nina", online: false, lastSeenAt: null },
      ],
    });
    expect(state.get("a")).toEqual({ online: true, lastSeenAt: null, profile: { name: "Ann", username: "ann" } });
    expect(state.get("n")).toEqual({ online: false, lastSeenAt: null, profile: { name: "Nina", username: "nina" } });
    state = applyPresenceFrame(state, { full: false, online: ["n"], offline: [["a", 7]] });
    state = applyPresenceFrame(state, { full: true, online: [], offline: [] });
    expect(state.get("n")).toEqual({ online: false, lastSeenAt: null, profile: { name: "Nina", username: "nina" } });
    expect(state.get("a")?.profile?.name).toBe("Ann");
  });

  it("does not change the map it was given", () => {
    const before = new Map([["a", { online: true, lastSeenAt: null }]]);
    applyPresenceFrame(before, { full: false, online: [], offline: [["a", 1]] });
    expect(before.get("a")?.online).toBe(true);
  });
});

describe("parsePresenceFrame", () => {
  it("reads a well-formed frame", () => {
    expect(parsePresenceFrame('{"full":true,"online":["a"],"offline":[["b",12]]}')).toEqual({
      full: true,
      online: ["a"],
      offline: [["b", 12]],
    });
  });

  it("reads directory entries and drops the ones that are not user summaries", () => {
    const nina = { id: "n", name: "Nina", username: null, online: false, lastSeenAt: 5 };
    const frame = parsePresenceFrame(
      JSON.stringify({ full: false, online: [], offline: [], users: [nina, { id: "x" }, null, { ...nina, name: 3 }] }),
    );
    expect(frame).toEqual({ full: false, online: [], offline: [], users: [nina] });
    expect(parsePresenceFrame('{"full":false,"online":[],"offline":[],"users":"nope"}')).toEqual({
      full: false,
      online: [],
      offline: [],
    });
  });

  it("rejects malformed JSON and wrong shapes", () => {
    expect(parsePresenceFrame("{")).toBeNull();
    expect(parsePresenceFrame('{"full":true,"online":[1],"offline":[]}')).toBeNull();
    expect(parsePresenceFrame('{"full":true,"online":[],"offline":[["b"]]}')).toBeNull();
    expect(parsePresenceFrame("null")).toBeNull();
  });
});

describe("resolvePresence", () => {
  it("prefers live presence over the listing and falls back to it", () => {
    const live = new Map([["a", { online: true, lastSeenAt: null }]]);
    expect(resolvePresence(live, "a", { online: false, lastSeenAt: 1 }).online).toBe(true);
    expect(resolvePresence(live, "b", { online: false, lastSeenAt: 1 })).toEqual({ online: false, lastSeenAt: 1 });
  });
});

describe("newlyAnnounced", () => {
  it("lists each announcement once, and a rename again", () => {
    const seen = new WeakSet<Profile>();
    const announce = (name: string) => ({
      full: false,
      online: [],
      offline: [],
      users: [{ id: "n", name, username: "nina", online: false, lastSeenAt: null }],
    });
    let state = applyPresenceFrame(new Map(), announce("Nina"));
    expect(newlyAnnounced(state, seen)).toEqual([
      { id: "n", name: "Nina", username: "nina", online: false, lastSeenAt: null },
    ]);
    state = applyPresenceFrame(state, { full: false, online: ["n"], offline: [] });
    expect(newlyAnnounced(state, seen)).toEqual([]);
    state = applyPresenceFrame(state, announce("Nina Novak"));
    expect(newlyAnnounced(state, seen)).toEqual([
      { id: "n", name: "Nina Novak", username: "nina", online: true, lastSeenAt: null },
    ]);
  });
});
