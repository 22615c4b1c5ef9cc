import { createEffect, createMemo, createSignal, For, type JSX, onCleanup, onMount, splitProps } from "solid-js";
import {
  type Anchor,
  anchoredScrollTop,
  captureAnchor,
  computeLayout,
  totalHeight,
  visibleRange,
} from "../lib/virtual.js";

/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN_PX = 800;
/** Within this distance of the bottom the list follows new rows. */
const STICK_PX = 48;
/** Within this distance of the top, ask for older rows (of the bottom: for newer ones). */
const NEAR_TOP_PX = 1200;

export interface VirtualListApi {
  scrollToBottom(): void;
  /** Brings a row to the middle of the view (now, or as soon as it is among the rows) and holds it there. */
  scrollToKey(key: string): void;
}

export interface VirtualListProps<T> extends Omit<JSX.HTMLAttributes<HTMLDivElement>, "children" | "ref"> {
  rows: readonly T[];
  rowKey: (row: T) => string;
  estimate: (row: T) => number;
  children: (row: T) => JSX.Element;
  /** Shown above the first row (a loader or "start of conversation"). */
  top?: JSX.Element;
  /** Shown below the last row (a loader for newer rows). */
  bottom?: JSX.Element;
  onNearTop?: () => void;
  onNearBottom?: () => void;
  /** Follow rows added at the bottom while scrolled there (default true; false while newer rows are paged in). */
  follow?: boolean;
  /** Rows that may anchor the view (default: all); exclude rows that move on prepend. */
  anchorable?: (key: string) => boolean;
  onAtBottomChange?: (atBottom: boolean) => void;
  api?: (api: VirtualListApi) => void;
}

/**
 * A bottom-anchored virtualized list: only rows near the viewport exist in the DOM,
 * heights are estimated, then measured; the first visible row stays put when rows are
 * prepended or re-measured, and the list follows new rows while scrolled to the bottom.
 */
export function VirtualList<T>(props: VirtualListProps<T>): JSX.Element {
  let scroller!: HTMLDivElement;
  let topEl!: HTMLDivElement;
  const heights = new Map<string, number>();
  const [measured, setMeasured] = createSignal(0);
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(800);
  const [topHeight, setTopHeight] = createSignal(0);
  let stick = true;
  let anchor: Anchor | null = null;
  /** A row to bring into view once it exists (scrollToKey). */
  let target: string | null = null;
  const [targetAsked, setTargetAsked] = createSignal(0);
  /** The row scrolled to: it anchors the view while it is in sight (rows above it may still grow). */
  let held: string | null = null;

  const layout = createMemo(() => {
    measured();
    const rows = props.rows;
    return computeLayout(
      rows.map((r) => props.rowKey(r)),
      (key, i) => heights.get(key) ?? props.estimate(rows[i] as T),
    );
  });
  const offset = () => topHeight();
  const range = createMemo(() => visibleRange(layout(), scrollTop() - offset(), viewport(), OVERSCAN_PX));
  const visible = createMemo(() => props.rows.slice(range().start, range().end));

  const scrollToBottom = () => {
    stick = true;
    target = null;
    held = null;
    scroller.scrollTop = scroller.scrollHeight;
  };
  const scrollToKey = (key: string) => {
    target = key;
    stick = false;
    setTargetAsked((v) => v + 1);
  };

  /** An anchor on the held row while any of it is in the viewport; else the hold ends. */
  const heldAnchor = (st: number): Anchor | null => {
    const l = layout();
    const i = held === null ? undefined : l.index.get(held);
    const y = st - offset();
    if (held === null || i === undefined || (l.tops[i + 1] as number) < y || (l.tops[i] as number) > y + viewport()) {
      held = null;
      return null;
    }
    return { key: held, offset: y - (l.tops[i + 1] as number) };
  };

  const onScroll = () => {
    const st = scroller.scrollTop;
    setScrollTop(st);
    const fromBottom = scroller.scrollHeight - st - scroller.clientHeight;
    const atBottom = fromBottom < STICK_PX;
    stick = atBottom && props.follow !== false;
    anchor = heldAnchor(st) ?? captureAnchor(layout(), st - offset(), props.anchorable);
    props.onAtBottomChange?.(atBottom);
    if (st < NEAR_TOP_PX) props.onNearTop?.();
    if (fromBottom < NEAR_TOP_PX) props.onNearBottom?.();
  };

  // Keep the view steady after any layout change (prepend, new row, re-measure).
  createEffect(() => {
    const l = layout();
    const top = offset();
    targetAsked();
    const i = target === null ? undefined : l.index.get(target);
    if (target !== null && i !== undefined) {
      // The row in the middle of the view, and the anchor on it so re-measuring keeps it there.
      const rowTop = l.tops[i] as number;
      const rowBottom = l.tops[i + 1] as number;
      scroller.scrollTop = Math.max(0, top + (rowTop + rowBottom) / 2 - scroller.clientHeight / 2);
      anchor = { key: target, offset: scroller.scrollTop - top - rowBottom };
      held = target;
      target = null;
    } else if (stick) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (anchor) {
      const to = anchoredScrollTop(l, anchor);
      if (to !== null && Math.abs(scroller.scrollTop - (to + top)) > 1) scroller.scrollTop = to + top;
    }
    setScrollTop(scroller.scrollTop);
  });

  const rowObserver = new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      const key = el.dataset.key;
      if (!key || !el.isConnected) continue;
      const h = entry.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
      if (Math.abs((heights.get(key) ?? -1) - h) > 0.5) {
        heights.set(key, h);
        changed = true;
      }
    }
    if (changed) setMeasured((v) => v + 1);
  });
  const frameObserver = new ResizeObserver(() => {
    setViewport(scroller.clientHeight);
    setTopHeight(topEl.offsetHeight);
    if (stick) scroller.scrollTop = scroller.scrollHeight;
  });
  onMount(() => {
    frameObserver.observe(scroller);
    frameObserver.observe(topEl);
    props.api?.({ scrollToBottom, scrollToKey });
    if (scroller.scrollTop < NEAR_TOP_PX) props.onNearTop?.();
  });
  onCleanup(() => {
    rowObserver.disconnect();
    frameObserver.disconnect();
  });

  const [, rest] = splitProps(props, [
    "rows",
    "rowKey",
    "estimate",
    "children",
    "top",
    "bottom",
    "onNearTop",
    "onNearBottom",
    "follow",
    "anchorable",
    "onAtBottomChange",
    "api",
  ]);
  return (
    <div {...rest} ref={scroller} onScroll={onScroll}>
      <div ref={topEl}>{props.top}</div>
      <div class="log-inner" style={{ height: `${totalHeight(layout())}px` }}>
        <For each={visible()}>
          {(row) => {
            const key = props.rowKey(row);
            return (
              <div
                class="vrow"
                data-key={key}
                style={{ transform: `translateY(${layout().tops[layout().index.get(key) ?? 0] ?? 0}px)` }}
                ref={(el) => {
                  rowObserver.observe(el);
                  onCleanup(() => rowObserver.unobserve(el));
                }}
              >
                {props.children(row)}
              </div>
            );
          }}
        </For>
      </div>
      {props.bottom}
    </div>
  );
}
