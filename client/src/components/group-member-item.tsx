import { type JSX, Show } from "solid-js";
import { useApp } from "../lib/app-context.js";
import type { GroupRole } from "../lib/groups.js";
import { presenceText } from "../lib/time-format.js";
import { Avatar } from "./avatar.js";

const ROLE_LABEL: Record<GroupRole, string> = { owner: "Owner", admin: "Admin", member: "" };

export interface GroupMemberItemProps {
  id: string;
  /** This row is the signed-in user. */
  me: boolean;
  role: GroupRole | null;
  /** The viewer is the owner and this is someone else: "Make admin" / "Remove admin". */
  canSetRole: boolean;
  canRemove: boolean;
  busy: boolean;
  onSetRole: (role: "admin" | "member") => void;
  onRemove: () => void;
}

/** One member in Group info: name, role, presence, and what the viewer may do to them. */
export function GroupMemberItem(props: GroupMemberItemProps): JSX.Element {
  const app = useApp();
  const name = () => app.data.nameOf(props.id);
  const presence = () => app.data.presenceOf(props.id);
  const isAdmin = () => props.role === "admin";
  return (
    <li class="member" data-testid="member" data-user-id={props.id} data-role={props.role ?? ""}>
      <Avatar id={props.id} name={name()} online={presence().online} />
      <span class="row-main">
        <span class="row-top">
          <span class="row-name">
            {name()}
            {props.me ? " (you)" : ""}
          </span>
          <Show when={props.role && ROLE_LABEL[props.role]}>
            {(label) => <span class="role-badge">{label()}</span>}
          </Show>
        </span>
        <span class="row-sub">{presenceText(presence().online, presence().lastSeenAt, app.data.now())}</span>
      </span>
      <span class="member-actions">
        <Show when={props.canSetRole}>
          <button
            type="button"
            class="btn btn-secondary btn-small"
            disabled={props.busy}
            aria-label={isAdmin() ? `Remove admin: ${name()}` : `Make admin: ${name()}`}
            onClick={() => props.onSetRole(isAdmin() ? "member" : "admin")}
          >
            {isAdmin() ? "Remove admin" : "Make admin"}
          </button>
        </Show>
        <Show when={props.canRemove}>
          <button
            type="button"
            class="btn btn-danger btn-small"
            disabled={props.busy}
            aria-label={`Remove ${name()} from the group`}
            onClick={() => props.onRemove()}
          >
            Remove
          </button>
        </Show>
      </span>
    </li>
  );
}
