import { describe, expect, it } from "vitest";
import { conversationDirection, conversationStep, type KeyLike } from "./keyboard.js";

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  altKey: true,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...over,
});
const anywhere = { textField: false, empty: true };

describe("moving between conversations from the keyboard", () => {
  it("reads Alt+↑ as the previous conversation and Alt+↓ as the next", () => {
    expect(conversationDirection(key("ArrowUp"), anywhere)).toBe(-1);
    expect(conversationDirection(key("ArrowDown"), anywhere)).toBe(1);
  });

  it("ignores arrows without Alt, with another modifier, other keys, and keys while composing text", () => {
    expect(conversationDirection(key("ArrowUp", { altKey: false }), anywhere)).toBeNull();
    expect(conversationDirection(key("ArrowUp", { ctrlKey: true }), anywhere)).toBeNull();
    expect(conversationDirection(key("ArrowUp", { metaKey: true }), anywhere)).toBeNull();
    expect(conversationDirection(key("ArrowDown", { shiftKey: true }), anywhere)).toBeNull();
    expect(conversationDirection(key("ArrowLeft"), anywhere)).toBeNull();
    expect(conversationDirection(key("ArrowUp", { isComposing: true }), anywhere)).toBeNull();
  });

  it("works in an empty composer, and leaves the key to the caret (and the text where it is) when it holds text", () => {
    expect(conversationDirection(key("ArrowUp"), { textField: true, empty: true })).toBe(-1);
    expect(conversationDirection(key("ArrowDown"), { textField: true, empty: false })).toBeNull();
  });

  it("steps through the list order, starts at an end when none is open, and stops at the ends", () => {
    const ids = ["a", "b", "c"];
    expect(conversationStep(ids, "b", -1)).toBe("a");
    expect(conversationStep(ids, "b", 1)).toBe("c");
    expect(conversationStep(ids, null, 1)).toBe("a");
    expect(conversationStep(ids, null, -1)).toBe("c");
    expect(conversationStep(ids, "gone", 1)).toBe("a");
    expect(conversationStep(ids, "a", -1)).toBeNull();
    expect(conversationStep(ids, "c", 1)).toBeNull();
    expect(conversationStep([], null, 1)).toBeNull();
  });
});
