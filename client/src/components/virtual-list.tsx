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
/** Within this distance of the top, ask for older rows. */
const NEAR_TOP_PX = 1200;

export interface VirtualListApi {
  scrollToBottom(): void;
}

export interface VirtualListProps<T> extends Omit<JSX.HTMLAttributes<HTMLDivElement>, "children" | "ref"> {
  rows: readonly T[];
  rowKey: (row: T) => string;
  estimate: (row: T) => number;
  children: (row: T) => JSX.Element;
  /** Shown above the first row (a loader or "start of conversation"). */
  top?: JSX.Element;
  onNearTop?: () => void;
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
    scroller.scrollTop = scroller.scrollHeight;
  };

  const onScroll = () => {
    const st = scroller.scrollTop;
    setScrollTop(st);
    const atBottom = scroller.scrollHeight - st - scroller.clientHeight < STICK_PX;
    stick = atBottom;
    anchor = captureAnchor(layout(), st - offset(), props.anchorable);
    props.onAtBottomChange?.(atBottom);
    if (st < NEAR_TOP_PX) props.onNearTop?.();
  };

  // Keep the view steady after any layout change (prepend, new row, re-measure).
  createEffect(() => {
    const l = layout();
    const top = offset();
    if (stick) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (anchor) {
      const target = anchoredScrollTop(l, anchor);
      if (target !== null && Math.abs(scroller.scrollTop - (target + top)) > 1) scroller.scrollTop = target + top;
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
    props.api?.({ scrollToBottom });
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
    "onNearTop",
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
    </div>
  );
}
