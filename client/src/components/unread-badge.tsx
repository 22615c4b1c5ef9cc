import { type JSX, Show } from "solid-js";
import { badgeText } from "../lib/unread.js";

/** The number of unread messages in a list row ("99+" past 99); read out as "3 unread". */
export function UnreadBadge(props: { count: number; muted?: boolean }): JSX.Element {
  return (
    <Show when={props.count > 0}>
      <span class="unread-badge" classList={{ muted: props.muted === true }} data-testid="unread-badge">
        <span aria-hidden="true">{badgeText(props.count)}</span>
        <span class="visually-hidden">, {props.count} unread</span>
      </span>
    </Show>
  );
}
