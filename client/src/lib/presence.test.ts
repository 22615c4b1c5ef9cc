import { describe, expect, it } from "vitest";
import { applyPresenceFrame, parsePresenceFrame, resolvePresence } from "./presence.js";

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
