import type { MessageMark } from "@messenger/shared";
import { createRoot } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, NETWORK_ERROR } from "./api.js";
import {
  createMarkQueue,
  MARK_DEBOUNCE_MS,
  MARK_RETRY_MS,
  markFailure,
  nextMark,
  withMark,
  withoutMark,
} from "./mark-queue.js";
import { memoryStore } from "./memory-store.js";

const m = (at: number, id = `m${at}`): MessageMark => ({ at, id });

describe("pending marks", () => {
  it("keep the newest mark per conversation and kind, never an older one", () => {
    const a = withMark({}, "c", "read", m(10));
    expect(withMark(a, "c", "read", m(5))).toBe(a);
    expect(withMark(a, "c", "read", m(20)).c?.read).toEqual(m(20));
    expect(withMark(a, "c", "delivered", m(5)).c).toEqual({ read: m(10), delivered: m(5) });
  });

  it("drop a mark once one at or after it is confirmed, but keep a newer one made meanwhile", () => {
    const p = withMark(withMark({}, "c", "read", m(20)), "c", "delivered", m(20));
    expect(withoutMark(p, "c", "read", m(10))).toBe(p);
    expect(withoutMark(p, "c", "read", m(20))).toEqual({ c: { delivered: m(20) } });
    expect(withoutMark(withoutMark(p, "c", "read", m(20)), "c", "delivered", m(30))).toEqual({});
  });

  it("send reads first, and settle what the server has or a pending read covers without a request", () => {
    const p = { a: { delivered: m(30) }, b: { read: m(10) }, c: { read: m(40), delivered: m(35) }, d: { read: m(5) } };
    const server = (id: string) => (id === "d" ? m(8) : null);
    const { send, settled } = nextMark(p, server);
    expect(send).toEqual({ conversationId: "b", kind: "read", mark: m(10) });
    expect(settled).toEqual([
      { conversationId: "d", kind: "read", mark: m(5) },
      { conversationId: "c", kind: "delivered", mark: m(35) },
    ]);
  });

  it("retries after network failures, rate limits and server errors, and drops what the server refuses", () => {
    expect(markFailure(new ApiError(0, NETWORK_ERROR))).toBe("retry");
    expect(markFailure(new ApiError(429, "RATE_LIMITED"))).toBe("retry");
    expect(markFailure(new ApiError(503, "INTERNAL"))).toBe("retry");
    expect(markFailure(new ApiError(404, "NOT_FOUND"))).toBe("drop");
  });
});

describe("the mark queue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the newest mark once after a pause, keeps it across a restart while the network is down, and sends it later", async () => {
    const store = memoryStore();
    const sent: string[] = [];
    let down = true;
    const api = {
      markRead: vi.fn(async (c: string, id: string) => {
        if (down) throw new ApiError(0, NETWORK_ERROR);
        sent.push(`${c}:${id}`);
        return { unread: 0, read: null, delivered: null };
      }),
      markDelivered: vi.fn(async () => ({ delivered: null })),
    };
    const first = createRoot((dispose) => ({
      q: createMarkQueue({ api, userId: "me", confirmed: () => null, store }),
      dispose,
    }));
    first.q.mark("c", "read", m(1));
    first.q.mark("c", "read", m(2));
    first.q.mark("c", "read", m(1));
    expect(first.q.pendingRead("c")).toEqual(m(2));
    await vi.advanceTimersByTimeAsync(MARK_DEBOUNCE_MS + 10);
    expect(api.markRead).toHaveBeenCalledTimes(1);
    expect(api.markRead).toHaveBeenCalledWith("c", "m2");
    first.dispose();

    down = false;
    const second = createRoot((dispose) => ({
      q: createMarkQueue({ api, userId: "me", confirmed: () => null, store }),
      dispose,
    }));
    expect(second.q.pendingRead("c")).toEqual(m(2));
    await vi.advanceTimersByTimeAsync(MARK_RETRY_MS);
    expect(sent).toEqual(["c:m2"]);
    expect(second.q.pendingRead("c")).toBeUndefined();
    second.dispose();
  });

  it("never sends a mark the server already has", async () => {
    const api = { markRead: vi.fn(), markDelivered: vi.fn() };
    createRoot((dispose) => {
      const q = createMarkQueue({ api, userId: "me", confirmed: () => m(10), store: memoryStore() });
      q.mark("c", "delivered", m(9));
      expect(q.pending()).toEqual({});
      return dispose;
    });
    await vi.advanceTimersByTimeAsync(MARK_RETRY_MS);
    expect(api.markDelivered).not.toHaveBeenCalled();
  });
});
