import type { ConversationSummary } from "@messenger/shared";
import { createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { mayManage, orderedMembers, roleOf } from "../lib/groups.js";
import { Dialog } from "./dialog.js";
import { GroupMemberItem } from "./group-member-item.js";
import { groupNameProblem } from "./new-group-dialog.js";
import { createSelection, PeoplePicker } from "./people-picker.js";

type Confirm = { kind: "remove"; userId: string } | { kind: "leave" };

/**
 * A group's members with their roles. The owner and admins rename the group, add and remove
 * members (only the owner removes an admin); the owner names admins; everyone may leave.
 */
export function GroupInfoDialog(props: {
  group: ConversationSummary;
  onClose: () => void;
  onLeft: () => void;
}): JSX.Element {
  const app = useApp();
  const me = app.data.userId;
  const g = () => props.group;
  const myRole = () => roleOf(g(), me);
  const [view, setView] = createSignal<"members" | "add">("members");
  const [confirm, setConfirm] = createSignal<Confirm | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [name, setName] = createSignal(g().name ?? "");
  const [nameError, setNameError] = createSignal<string | null>(null);
  const adding = createSelection();

  async function run(action: () => Promise<{ conversation: ConversationSummary }>, done: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const { conversation } = await action();
      app.data.remember(conversation);
      app.announce(done);
      return true;
    } catch (err) {
      setError(errorSentence(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const rename = async (e: SubmitEvent) => {
    e.preventDefault();
    const problem = groupNameProblem(name());
    setNameError(problem);
    if (problem || name().trim() === g().name) return;
    await run(() => app.api.renameGroup(g().id, name().trim()), `Group renamed to ${name().trim()}`);
  };

  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    const ids = [...adding.selected()];
    if (ids.length === 0) return setError("Choose at least one person to add.");
    if (await run(() => app.api.addMembers(g().id, ids), `Added ${ids.map(app.data.nameOf).join(", ")}`)) {
      adding.clear();
      setView("members");
    }
  };

  const confirmed = async () => {
    const c = confirm();
    if (!c) return;
    if (c.kind === "leave") {
      if (await run(() => app.api.removeMember(g().id, me), "You left the group")) props.onLeft();
    } else if (await run(() => app.api.removeMember(g().id, c.userId), `Removed ${app.data.nameOf(c.userId)}`)) {
      setConfirm(null);
    }
  };

  const canRemove = (id: string) => {
    const theirs = roleOf(g(), id);
    return id !== me && theirs !== "owner" && mayManage(myRole()) && (theirs !== "admin" || myRole() === "owner");
  };

  return (
    <Dialog id="group-info" title={view() === "add" ? "Add members" : "Group info"} onClose={props.onClose}>
      <Show when={error()}>
        <p class="alert" role="alert">
          {error()}
        </p>
      </Show>
      <Switch>
        <Match when={view() === "add"}>
          <form class="dialog-form" onSubmit={(e) => void add(e)}>
            <PeoplePicker
              id="add-members"
              exclude={g().memberIds}
              selected={adding.selected()}
              onToggle={adding.toggle}
            />
            <p class="hint">New members can see earlier messages.</p>
            <div class="dialog-actions">
              <button type="button" class="btn btn-secondary" onClick={() => setView("members")}>
                Back
              </button>
              <button type="submit" class="btn" disabled={busy()}>
                Add to group
              </button>
            </div>
          </form>
        </Match>
        <Match when={view() === "members"}>
          <Show when={mayManage(myRole())}>
            <form class="inline-form" onSubmit={(e) => void rename(e)} novalidate>
              <div class="field">
                <label for="group-rename">Group name</label>
                <input
                  id="group-rename"
                  class="input"
                  autocomplete="off"
                  value={name()}
                  aria-invalid={nameError() ? "true" : undefined}
                  aria-describedby={nameError() ? "group-rename-error" : undefined}
                  onInput={(e) => setName(e.currentTarget.value)}
                />
              </div>
              <button type="submit" class="btn btn-secondary" disabled={busy()}>
                Rename
              </button>
            </form>
            <Show when={nameError()}>
              <p id="group-rename-error" class="field-error" role="alert">
                {nameError()}
              </p>
            </Show>
          </Show>
          <div class="members-head">
            <h3>{g().memberIds.length} members</h3>
            <Show when={mayManage(myRole())}>
              <button type="button" class="btn btn-secondary" onClick={() => setView("add")}>
                Add members
              </button>
            </Show>
          </div>
          <ul class="list members" aria-label="Members">
            <For each={orderedMembers(g(), app.data.nameOf)}>
              {(id) => (
                <GroupMemberItem
                  id={id}
                  me={id === me}
                  role={roleOf(g(), id)}
                  canSetRole={myRole() === "owner" && id !== me}
                  canRemove={canRemove(id)}
                  busy={busy()}
                  onSetRole={(role) =>
                    void run(
                      () => app.api.setRole(g().id, id, role),
                      role === "member"
                        ? `${app.data.nameOf(id)} is no longer an admin`
                        : `${app.data.nameOf(id)} is now an admin`,
                    )
                  }
                  onRemove={() => setConfirm({ kind: "remove", userId: id })}
                />
              )}
            </For>
          </ul>
          <Show
            when={confirm()}
            fallback={
              <button type="button" class="btn btn-danger leave" onClick={() => setConfirm({ kind: "leave" })}>
                Leave group
              </button>
            }
          >
            {(c) => (
              <div class="confirm-bar">
                <span id="group-confirm-text">
                  {c().kind === "leave"
                    ? "Leave this group? You keep what you have here, read-only."
                    : `Remove ${app.data.nameOf((c() as { userId: string }).userId)} from the group? They keep what they had, read-only.`}
                </span>
                <button
                  type="button"
                  class="btn btn-secondary"
                  aria-describedby="group-confirm-text"
                  ref={(el) => queueMicrotask(() => el.focus())}
                  onClick={() => setConfirm(null)}
                >
                  Cancel
                </button>
                <button
                  type="button"
                  class="btn"
                  aria-describedby="group-confirm-text"
                  disabled={busy()}
                  onClick={() => void confirmed()}
                >
                  {c().kind === "leave" ? "Leave" : "Remove"}
                </button>
              </div>
            )}
          </Show>
        </Match>
      </Switch>
    </Dialog>
  );
}
