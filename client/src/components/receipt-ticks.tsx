import { For, type JSX, Match, Show, Switch } from "solid-js";
import type { ReceiptStatus } from "../lib/receipts.js";
import { Icon } from "./icons.js";

export interface ReceiptView {
  status: ReceiptStatus;
  /** "Delivered", "Read by Bob", "Read by 3 of 6" ("" for the default of the status). */
  label: string;
  /** Names of who read it, listed on demand (groups); empty otherwise. */
  readers: string[];
}

const DEFAULT_LABELS: Record<ReceiptStatus, string> = {
  pending: "Waiting to send",
  sent: "Sent",
  delivered: "Delivered",
  "read-some": "Read",
  read: "Read",
};

/** Clock, one tick, two ticks, two highlighted ticks; in a group, who read it on demand. */
export function ReceiptTicks(props: { view: ReceiptView }): JSX.Element {
  const v = () => props.view;
  const label = () => v().label || DEFAULT_LABELS[v().status];
  const icon = () => (
    <Switch fallback={<Icon name="checks" class="icon ticks" />}>
      <Match when={v().status === "pending"}>
        <Icon name="clock" />
      </Match>
      <Match when={v().status === "sent"}>
        <Icon name="check" />
      </Match>
    </Switch>
  );
  return (
    <span class={`receipt ${v().status}`} data-testid="receipt" data-receipt={v().status}>
      <Show
        when={v().readers.length > 0}
        fallback={
          <span title={label()}>
            {icon()}
            <span class="visually-hidden">{label()}</span>
          </span>
        }
      >
        <details class="read-by">
          <summary title={label()}>
            {icon()}
            <span class="visually-hidden">{label()}</span>
          </summary>
          <ul aria-label="Read by">
            <For each={v().readers}>{(name) => <li>{name}</li>}</For>
          </ul>
        </details>
      </Show>
    </span>
  );
}
