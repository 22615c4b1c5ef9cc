import type { JSX } from "solid-js";
import type { ConnectionState } from "../lib/sync.js";

/** About this device's connection, worded so it is never read as a person's presence ("Online"). */
const LABELS: Record<ConnectionState, string> = {
  online: "Connected",
  offline: "You're offline",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
};

/** The one connection indicator. role="status" so changes are announced politely. */
export function ConnectionStatus(props: { state: ConnectionState }): JSX.Element {
  return (
    <span class="status" role="status" data-testid="connection-status" data-state={props.state}>
      {LABELS[props.state]}
    </span>
  );
}
