import { type JSX, onCleanup, onMount } from "solid-js";
import { Icon } from "./icons.js";

export interface DialogProps {
  /** Unique on the page: names the dialog for screen readers (aria-labelledby). */
  id: string;
  title: string;
  onClose: () => void;
  children: JSX.Element;
}

/**
 * A modal on the native <dialog>: the browser traps focus, Escape closes it, and what was
 * focused before gets focus back. Full screen on phones (styles.css).
 */
export function Dialog(props: DialogProps): JSX.Element {
  let el: HTMLDialogElement | undefined;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  onMount(() => el?.showModal());
  onCleanup(() => {
    el?.close();
    queueMicrotask(() => opener?.isConnected && opener.focus());
  });
  return (
    <dialog
      ref={el}
      class="dialog"
      aria-labelledby={`${props.id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <button type="button" class="icon-btn" aria-label="Close" onClick={() => props.onClose()}>
          <Icon name="close" />
        </button>
      </div>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}
