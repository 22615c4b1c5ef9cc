import { type JSX, Show } from "solid-js";

export function SessionItem(props: {
  device: string;
  detail: string;
  current: boolean;
  busy: boolean;
  onRevoke: () => void;
}): JSX.Element {
  return (
    <li class="card session" data-testid="session-item" data-current={props.current ? "true" : "false"}>
      <span class="row-main">
        <span class="row-name">{props.device}</span>
        <span class="row-sub">{props.detail}</span>
        <Show when={props.current}>
          <span class="tag">This device</span>
        </Show>
      </span>
      <Show when={!props.current}>
        <button type="button" class="btn btn-danger" onClick={() => props.onRevoke()} disabled={props.busy}>
          Revoke
        </button>
      </Show>
    </li>
  );
}
