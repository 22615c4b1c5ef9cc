/**
 * Window math for the virtualized message list: row offsets from measured or
 * estimated heights, which rows intersect the viewport, and a scroll anchor (the first
 * visible row and how far the viewport top sits into it) that survives prepends and
 * re-measurement. Pure; components/virtual-list.tsx owns the DOM side.
 */
export interface Layout {
  /** tops[i] is the y of row i; tops[n] is the total height. */
  tops: Float64Array;
  /** Row key → index. */
  index: Map<string, number>;
  keys: readonly string[];
}

export function computeLayout(keys: readonly string[], heightOf: (key: string, i: number) => number): Layout {
  const tops = new Float64Array(keys.length + 1);
  const index = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    index.set(key, i);
    tops[i + 1] = (tops[i] as number) + heightOf(key, i);
  }
  return { tops, index, keys };
}

export function totalHeight(layout: Layout): number {
  return layout.tops[layout.keys.length] as number;
}

/** Index of the row containing y (clamped to the rows that exist); -1 when there are none. */
export function rowAt(layout: Layout, y: number): number {
  const n = layout.keys.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((layout.tops[mid] as number) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [start, end) to render: those in the viewport plus `overscanPx` above and below. */
export function visibleRange(
  layout: Layout,
  scrollTop: number,
  viewportHeight: number,
  overscanPx: number,
): { start: number; end: number } {
  const n = layout.keys.length;
  if (n === 0) return { start: 0, end: 0 };
  const start = rowAt(layout, Math.max(0, scrollTop - overscanPx));
  const end = rowAt(layout, scrollTop + viewportHeight + overscanPx) + 1;
  return { start, end: Math.min(n, end) };
}

export interface Anchor {
  key: string;
  /**
   * Viewport top minus the row's bottom. The bottom, not the top: a message row's top
   * margin shrinks when an older message by the same author arrives above it (it no
   * longer starts a run), and its text, at the bottom, must not move.
   */
  offset: number;
}

/**
 * The row to hold still: the first row at or below the viewport top that `anchorable`
 * accepts. Rows that move when others are prepended (a day separator whose day gains
 * older messages) must not be anchors, or everything below them jumps.
 */
export function captureAnchor(
  layout: Layout,
  scrollTop: number,
  anchorable: (key: string) => boolean = () => true,
): Anchor | null {
  const first = rowAt(layout, scrollTop);
  if (first < 0) return null;
  for (let i = first; i < layout.keys.length; i++) {
    const key = layout.keys[i] as string;
    if (anchorable(key)) return { key, offset: scrollTop - (layout.tops[i + 1] as number) };
  }
  return null;
}

/** The scrollTop that puts the anchor row back where it was; null when the row is gone. */
export function anchoredScrollTop(layout: Layout, anchor: Anchor): number | null {
  const i = layout.index.get(anchor.key);
  if (i === undefined) return null;
  return (layout.tops[i + 1] as number) + anchor.offset;
}

/** A first guess of a row's height before it is measured. */
export function estimateMessageHeight(
  text: string,
  charsPerLine: number,
  lineHeightPx: number,
  chromePx: number,
): number {
  let lines = 0;
  for (const paragraph of text.split("\n")) lines += Math.max(1, Math.ceil(paragraph.length / charsPerLine));
  return chromePx + lines * lineHeightPx;
}
