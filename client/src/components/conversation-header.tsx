import { type JSX, Show } from "solid-js";
import type { ConnectionState } from "../lib/sync.js";
import { ConnectionStatus } from "./connection-status.js";
import { Icon } from "./icons.js";

export interface ConversationHeaderProps {
  title: string;
  /** The peer's presence ("Online", "Last seen …"), or null when unknown (this device is offline). */
  peerStatus: string | null;
  peerOnline: boolean;
  /** This device's connection, shown when the app header is hidden (phone); null otherwise. */
  connection: ConnectionState | null;
  onBack: () => void;
  /** Extra controls at the end (a group's "Group info"). */
  actions?: JSX.Element;
}

/** Back, the peer's name and presence, and (phone) this device's connection, worded apart from presence. */
export function ConversationHeader(props: ConversationHeaderProps): JSX.Element {
  return (
    <div class="conv-head">
      <button type="button" class="icon-btn back-btn" aria-label="Back" onClick={() => props.onBack()}>
        <Icon name="back" />
      </button>
      <div class="conv-title">
        <h2 id="conv-title">{props.title}</h2>
        <p data-testid="peer-status" classList={{ online: props.peerOnline && props.peerStatus !== null }}>
          {props.peerStatus ?? ""}
        </p>
      </div>
      <Show when={props.connection}>{(state) => <ConnectionStatus state={state()} />}</Show>
      {props.actions}
    </div>
  );
}
