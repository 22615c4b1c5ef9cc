import type { ReadState } from "@messenger/shared";
import { createSignal } from "solid-js";
import { describe, expect, it, vi } from "vitest";
import { createMute } from "./mute.js";

function setup(setMuted: (id: string, muted: boolean) => Promise<{ muted: boolean }>) {
  const [reads, setReads] = createSignal<Record<string, ReadState>>({ c1: { unread: 2, read: null, muted: false } });
  const mute = createMute({ api: { setMuted }, readState: (id) => reads()[id] });
  const inbox = (muted: boolean) => setReads({ c1: { unread: 2, read: null, muted } });
  return { mute, inbox };
}

describe("muting from this device", () => {
  it("shows my change at once, and follows the inbox again once it agrees", async () => {
    const { mute, inbox } = setup(async (_id, muted) => ({ muted }));
    expect(mute.muted("c1")).toBe(false);
    const sent = mute.set("c1", true);
    expect(mute.muted("c1")).toBe(true);
    await sent;
    mute.settle("c1"); // the inbox has not caught up yet: my change still shows
    expect(mute.muted("c1")).toBe(true);
    inbox(true);
    mute.settle("c1");
    // Another device unmutes later: the inbox wins again.
    inbox(false);
    expect(mute.muted("c1")).toBe(false);
  });

  it("goes back to the inbox's answer when the server refuses", async () => {
    const refused = new Error("offline");
    const { mute } = setup(vi.fn().mockRejectedValue(refused));
    await expect(mute.set("c1", true)).rejects.toBe(refused);
    expect(mute.muted("c1")).toBe(false);
  });

  it("reads an inbox written before mute existed as not muted", () => {
    const mute = createMute({
      api: { setMuted: async (_id, muted) => ({ muted }) },
      readState: () => ({ unread: 1, read: null }) as unknown as ReadState,
    });
    expect(mute.muted("c1")).toBe(false);
  });
});
