import { type JSX, Match, Switch } from "solid-js";
import type { TimelineState } from "../lib/conversation.js";

export interface LogTopProps {
  state: TimelineState;
  /** Why nothing can load: this device is offline (otherwise the conversation stopped syncing). */
  offline: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  olderFailed: boolean;
  peerName: string;
  onRetryOlder: () => void;
}

/** The top of the message log: what the timeline truthfully is, or the older-history loader. */
export function LogTop(props: LogTopProps): JSX.Element {
  return (
    <div class="log-top" data-testid="timeline-state" data-state={props.state}>
      <Switch fallback={<span>{props.loadingOlder ? "Loading older messages…" : " "}</span>}>
        <Match when={props.state === "loading"}>
          <span>Loading messages…</span>
        </Match>
        <Match when={props.state === "unavailable"}>
          <span>
            {props.offline
              ? "You're offline, and this conversation isn't saved on this device yet. It will load when you're back online."
              : "Messages can't be shown until this conversation syncs again."}
          </span>
        </Match>
        <Match when={props.state === "empty"}>
          <span>Say hello to {props.peerName}.</span>
        </Match>
        <Match when={props.hasMore && props.olderFailed}>
          <button type="button" class="btn btn-secondary" onClick={() => props.onRetryOlder()}>
            Couldn't load older messages. Try again
          </button>
        </Match>
        <Match when={!props.hasMore}>
          <span>This is the start of your conversation.</span>
        </Match>
      </Switch>
    </div>
  );
}
