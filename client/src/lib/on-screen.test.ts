import type { MessageRecord } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { newestRead, tabIsReading } from "./on-screen.js";

const rec = (id: string, createdAt: number): MessageRecord => ({ id, author: "a", text: id, createdAt });

describe("what is read", () => {
  const messages = [rec("a", 1), rec("b", 2), rec("c", 3), rec("d", 4)];

  it("is the newest message on screen, skipping my own not yet confirmed", () => {
    expect(newestRead(messages, new Set(["b", "c"]), new Set())?.id).toBe("c");
    expect(newestRead(messages, new Set(["b", "c", "d"]), new Set(["d"]))?.id).toBe("c");
    expect(newestRead(messages, new Set(), new Set())).toBeNull();
  });

  it("counts only in a visible, focused tab", () => {
    expect(tabIsReading({ visibilityState: "visible", hasFocus: () => true })).toBe(true);
    expect(tabIsReading({ visibilityState: "visible", hasFocus: () => false })).toBe(false);
    expect(tabIsReading({ visibilityState: "hidden", hasFocus: () => true })).toBe(false);
  });
});
