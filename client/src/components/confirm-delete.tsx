import type { JSX } from "solid-js";

/** "Delete this message for everyone?" with Keep and Delete. */
export function ConfirmDelete(props: { onKeep: () => void; onDelete: () => void }): JSX.Element {
  return (
    <div class="confirm-bar">
      <span>Delete this message for everyone?</span>
      <button type="button" class="btn btn-secondary" onClick={() => props.onKeep()}>
        Keep
      </button>
      <button type="button" class="btn" onClick={() => props.onDelete()}>
        Delete for everyone
      </button>
    </div>
  );
}
