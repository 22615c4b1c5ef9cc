import { describe, expect, it } from "vitest";
import {
  anchoredScrollTop,
  captureAnchor,
  computeLayout,
  estimateMessageHeight,
  rowAt,
  totalHeight,
  visibleRange,
} from "./virtual.js";

const keys = (n: number, prefix = "r") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("computeLayout", () => {
  it("stacks rows using each row's height", () => {
    const layout = computeLayout(["a", "b", "c"], (k) => ({ a: 10, b: 20, c: 30 })[k] ?? 0);
    expect(Array.from(layout.tops)).toEqual([0, 10, 30, 60]);
    expect(totalHeight(layout)).toBe(60);
    expect(layout.index.get("c")).toBe(2);
  });
});

describe("visibleRange", () => {
  const layout = computeLayout(keys(100_000), () => 50);

  it("renders only the rows on screen plus the overscan", () => {
    const { start, end } = visibleRange(layout, 500_000, 800, 200);
    expect(start).toBe(9996);
    expect(end).toBe(10021);
    expect(end - start).toBeLessThan(40);
  });

  it("clamps at the top and at the bottom", () => {
    expect(visibleRange(layout, 0, 800, 200)).toEqual({ start: 0, end: 21 });
    expect(visibleRange(layout, 5_000_000 - 800, 800, 200).end).toBe(100_000);
  });

  it("renders nothing for an empty list", () => {
    expect(
      visibleRange(
        computeLayout([], () => 1),
        0,
        800,
        200,
      ),
    ).toEqual({ start: 0, end: 0 });
    expect(
      rowAt(
        computeLayout([], () => 1),
        10,
      ),
    ).toBe(-1);
  });
});

describe("scroll anchor", () => {
  it("keeps the first visible row in place when older rows are prepended", () => {
    const before = computeLayout(keys(20), () => 40);
    const anchor = captureAnchor(before, 130); // inside row 3, 30px above its bottom
    expect(anchor).toEqual({ key: "r3", offset: -30 });
    const after = computeLayout([...keys(50, "old"), ...keys(20)], () => 40);
    expect(anchor && anchoredScrollTop(after, anchor)).toBe(50 * 40 + 130);
  });

  it("anchors on the first acceptable row, so a separator that moves up does not drag the view", () => {
    const before = computeLayout(["day:1", "m5", "m6"], () => 40);
    const anchor = captureAnchor(before, 10, (k) => !k.startsWith("day:"));
    expect(anchor).toEqual({ key: "m5", offset: -70 });
    // Older messages of the same day load: the separator moves above them, m5 stays put.
    const after = computeLayout(["day:1", "m1", "m2", "m3", "m4", "m5", "m6"], () => 40);
    expect(anchor && anchoredScrollTop(after, anchor)).toBe(5 * 40 - 30);
  });

  it("keeps a row's bottom still when the row itself gets shorter at the top", () => {
    const before = computeLayout(["m1", "m2"], (k) => (k === "m1" ? 60 : 40));
    const anchor = captureAnchor(before, 20);
    const after = computeLayout(["m0", "m1", "m2"], (k) => (k === "m1" ? 52 : 40));
    // m1's bottom was 40px below the viewport top and still is.
    expect(anchor && anchoredScrollTop(after, anchor)).toBe(40 + 52 - 40);
  });

  it("follows a row whose neighbours above were re-measured", () => {
    const before = computeLayout(keys(10), () => 40);
    const anchor = captureAnchor(before, 200);
    const after = computeLayout(keys(10), (_k, i) => (i < 5 ? 60 : 40));
    expect(anchor && anchoredScrollTop(after, anchor)).toBe(300);
  });

  it("gives up when the anchor row no longer exists", () => {
    const anchor = captureAnchor(
      computeLayout(["a"], () => 10),
      0,
    );
    expect(anchor).not.toBeNull();
    expect(
      anchor &&
        anchoredScrollTop(
          computeLayout(["b"], () => 10),
          anchor,
        ),
    ).toBeNull();
  });
});

describe("estimateMessageHeight", () => {
  it("grows with wrapped lines and explicit line breaks", () => {
    expect(estimateMessageHeight("hi", 40, 20, 16)).toBe(36);
    expect(estimateMessageHeight("x".repeat(81), 40, 20, 16)).toBe(76);
    expect(estimateMessageHeight("a\nb", 40, 20, 16)).toBe(56);
  });
});
