import type { JSX } from "solid-js";
import { Avatar } from "./avatar.js";

export interface UserItemProps {
  id: string;
  name: string;
  username: string | null;
  online: boolean;
  /** "Online", "Last seen 5 min ago" or "Never seen". */
  status: string;
  busy?: boolean;
  onOpen: (id: string) => void;
}

export function UserItem(props: UserItemProps): JSX.Element {
  return (
    <li data-testid="user-item" data-user-id={props.id} data-online={props.online ? "true" : "false"}>
      <button
        type="button"
        class="row"
        onClick={() => props.onOpen(props.id)}
        aria-busy={props.busy ? "true" : undefined}
      >
        <Avatar id={props.id} name={props.name} online={props.online} />
        <span class="row-main">
          <span class="row-top">
            <span class="row-name">{props.name}</span>
            {props.username ? <span class="row-time">@{props.username}</span> : null}
          </span>
          <span class="row-sub" classList={{ online: props.online }}>
            {props.status}
          </span>
        </span>
      </button>
    </li>
  );
}
