import type { ReadState } from "@messenger/shared";
import { describe, expect, it, vi } from "vitest";
import { badgeText, covers, showAppBadge, titleWithUnread, unreadOf } from "./unread.js";

const state = (unread: number, read: ReadState["read"] = null): ReadState => ({ unread, read, muted: false });

describe("unread counts", () => {
  it("shows the server's count, and nothing without a read state", () => {
    expect(unreadOf(state(3), undefined, { id: "b", createdAt: 20 })).toBe(3);
    expect(unreadOf(undefined, undefined, { id: "b", createdAt: 20 })).toBe(0);
  });

  it("drops to zero at once when a mark not yet sent covers the last message, and only then", () => {
    const last = { id: "b", createdAt: 20 };
    expect(unreadOf(state(3), { at: 20, id: "b" }, last)).toBe(0);
    expect(unreadOf(state(3), { at: 30, id: "a" }, last)).toBe(0);
    expect(unreadOf(state(3), { at: 20, id: "a" }, last)).toBe(3);
    expect(unreadOf(state(3), { at: 10, id: "z" }, last)).toBe(3);
  });

  it("orders marks by time, then id", () => {
    expect(covers({ at: 5, id: "a" }, { at: 5, id: "a" })).toBe(true);
    expect(covers({ at: 5, id: "b" }, { at: 5, id: "a" })).toBe(true);
    expect(covers({ at: 5, id: "a" }, { at: 5, id: "b" })).toBe(false);
    expect(covers(null, { at: 1, id: "a" })).toBe(false);
  });

  it("puts the total in the title and caps the row badge", () => {
    expect(titleWithUnread("Messenger", 0)).toBe("Messenger");
    expect(titleWithUnread("Bob Baker · Messenger", 3)).toBe("(3) Bob Baker · Messenger");
    expect(badgeText(7)).toBe("7");
    expect(badgeText(120)).toBe("99+");
  });

  it("sets and clears the app badge where the browser has one, and stays quiet where it refuses", async () => {
    const nav = { setAppBadge: vi.fn(() => Promise.reject(new Error("not installed"))), clearAppBadge: vi.fn() };
    showAppBadge(4, nav);
    showAppBadge(0, nav);
    expect(nav.setAppBadge).toHaveBeenCalledWith(4);
    expect(nav.clearAppBadge).toHaveBeenCalledOnce();
    expect(() => showAppBadge(2, {})).not.toThrow();
  });
});
