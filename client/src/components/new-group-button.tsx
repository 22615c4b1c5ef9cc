import { createSignal, type JSX, lazy, Show } from "solid-js";
import { Icon } from "./icons.js";

/** Loaded when first opened (precached by the service worker, so offline too): keeps the first load small. */
const NewGroupDialog = lazy(() => import("./new-group-dialog.js").then((m) => ({ default: m.NewGroupDialog })));

/** "New group": opens the dialog that names a group and picks its members. */
export function NewGroupButton(): JSX.Element {
  const [open, setOpen] = createSignal(false);
  return (
    <>
      <button type="button" class="btn btn-secondary new-group" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <Icon name="people" />
        New group
      </button>
      <Show when={open()}>
        <NewGroupDialog onClose={() => setOpen(false)} />
      </Show>
    </>
  );
}
