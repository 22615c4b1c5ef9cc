import { GROUP_MAX_OTHERS, GROUP_MIN_OTHERS, GROUP_NAME_MAX_LENGTH } from "@messenger/shared";
import { createSignal, type JSX, Show } from "solid-js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { Dialog } from "./dialog.js";
import { createSelection, PeoplePicker } from "./people-picker.js";

/** What is wrong with a new group's name, or null. */
export function groupNameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return "Give the group a name.";
  if (n.length > GROUP_NAME_MAX_LENGTH) return `Use at most ${GROUP_NAME_MAX_LENGTH} characters for the name.`;
  return null;
}

function membersProblem(count: number): string | null {
  if (count < GROUP_MIN_OTHERS) return `Choose at least ${GROUP_MIN_OTHERS} people.`;
  if (count > GROUP_MAX_OTHERS) return `A group has at most ${GROUP_MAX_OTHERS} people besides you.`;
  return null;
}

/** "New group": a name and at least two people; creates it and opens it. */
export function NewGroupDialog(props: { onClose: () => void }): JSX.Element {
  const app = useApp();
  const [name, setName] = createSignal("");
  const picked = createSelection();
  const [tried, setTried] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const nameError = () => (tried() ? groupNameProblem(name()) : null);
  const membersError = () => (tried() ? membersProblem(picked.selected().size) : null);
  let nameInput: HTMLInputElement | undefined;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setTried(true);
    setError(null);
    if (groupNameProblem(name())) return nameInput?.focus();
    if (membersProblem(picked.selected().size)) {
      (document.getElementById("new-group-search") as HTMLInputElement | null)?.focus();
      return;
    }
    setBusy(true);
    try {
      const { conversation } = await app.api.createGroup(name().trim(), [...picked.selected()]);
      app.data.remember(conversation);
      app.announce(`Group ${conversation.name ?? ""} created`);
      props.onClose();
      app.router.navigate(`/c/${conversation.id}`);
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog id="new-group" title="New group" onClose={props.onClose}>
      <form class="dialog-form" onSubmit={(e) => void submit(e)} novalidate>
        <div class="field">
          <label for="new-group-name">Group name</label>
          <input
            id="new-group-name"
            ref={nameInput}
            class="input"
            autocomplete="off"
            value={name()}
            aria-invalid={nameError() ? "true" : undefined}
            aria-describedby={nameError() ? "new-group-name-error" : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <Show when={nameError()}>
            <p id="new-group-name-error" class="field-error">
              {nameError()}
            </p>
          </Show>
        </div>
        <PeoplePicker
          id="new-group"
          selected={picked.selected()}
          onToggle={picked.toggle}
          errorId={membersError() ? "new-group-members-error" : undefined}
        />
        <Show when={membersError()}>
          <p id="new-group-members-error" class="field-error" role="alert">
            {membersError()}
          </p>
        </Show>
        <p class="hint">New members can see earlier messages.</p>
        <Show when={error()}>
          <p class="alert" role="alert">
            {error()}
          </p>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="btn btn-secondary" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="btn" disabled={busy()} aria-busy={busy() ? "true" : undefined}>
            Create group
          </button>
        </div>
      </form>
    </Dialog>
  );
}
