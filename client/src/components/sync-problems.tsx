import { For, type JSX, Show } from "solid-js";
import { STOP_SENTENCES, type StopReason } from "../lib/close-policy.js";
import { FAILURE_SENTENCES, type OutboxEntry } from "../lib/outbox.js";

export interface SyncProblemsProps {
  /** Why this conversation's document stopped syncing, if it did. */
  stopped: StopReason | null;
  /** My writes here that will never be delivered. */
  failed: readonly OutboxEntry[];
  onRetry: () => void;
  onDismiss: (ids: string[]) => void;
}

const excerpt = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** A conversation that stopped syncing, and messages that could not be sent: shown, never hidden. */
export function SyncProblems(props: SyncProblemsProps): JSX.Element {
  return (
    <>
      <Show when={props.stopped}>
        {(reason) => (
          <div class="alert sync-problem" role="alert" data-testid="sync-stopped">
            <span>{STOP_SENTENCES[reason()]}</span>
            <button type="button" class="btn btn-secondary" onClick={() => props.onRetry()}>
              Try again
            </button>
          </div>
        )}
      </Show>
      <Show when={props.failed.length > 0}>
        <div class="alert sync-problem" role="alert" data-testid="outbox-failed">
          <ul>
            <For each={props.failed}>
              {(e) => (
                <li>
                  {e.kind === "message" ? `Not sent: “${excerpt(e.text)}”. ` : "A change was not saved. "}
                  {e.failed ? FAILURE_SENTENCES[e.failed] : ""}
                </li>
              )}
            </For>
          </ul>
          <button
            type="button"
            class="btn btn-secondary"
            onClick={() => props.onDismiss(props.failed.map((e) => e.id))}
          >
            Dismiss
          </button>
        </div>
      </Show>
    </>
  );
}
