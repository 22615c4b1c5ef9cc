import type { JSX } from "solid-js";
import { Avatar } from "./avatar.js";
import { Icon } from "./icons.js";
import { UnreadBadge } from "./unread-badge.js";

export interface ConversationItemProps {
  id: string;
  href: string;
  /** The peer's id, or the group's. */
  avatarId: string;
  /** The peer's name, or the group's. */
  title: string;
  group: boolean;
  /** The peer is online (direct conversations only). */
  online: boolean;
  /** "You: hi", "hi", "Bob: hi" (groups), "Alice added Dave", "Message deleted", or "No messages yet". */
  preview: string;
  time: string | null;
  /** Messages by others I have not read here. */
  unread: number;
  /** I muted it: a bell-off icon, and a quieter unread badge. */
  muted?: boolean;
  /** My writes here the server has not confirmed ("sending"), or that it never will ("failed"). */
  outbox: "sending" | "failed" | null;
  current: boolean;
  onOpen: (href: string) => void;
}

export function ConversationItem(props: ConversationItemProps): JSX.Element {
  const click = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    props.onOpen(props.href);
  };
  return (
    <li
      data-testid="conversation-item"
      data-conversation-id={props.id}
      data-unread={props.unread > 0}
      data-unread-count={props.unread}
      data-outbox={props.outbox ?? "none"}
      data-muted={props.muted === true}
    >
      <a
        class="row"
        classList={{ unread: props.unread > 0 }}
        href={props.href}
        onClick={click}
        aria-current={props.current ? "page" : undefined}
      >
        <Avatar id={props.avatarId} name={props.title} online={props.online} group={props.group} />
        <span class="row-main">
          <span class="row-top">
            <span class="row-name">
              {props.title}
              {props.group ? <span class="visually-hidden">, group</span> : null}
            </span>
            {props.time ? <span class="row-time">{props.time}</span> : null}
          </span>
          <span class="row-bottom">
            <span class="row-sub">
              {props.outbox === "sending" ? (
                <span class="row-outbox">
                  <Icon name="clock" class="icon row-outbox-icon" />
                  Sending…{" "}
                </span>
              ) : props.outbox === "failed" ? (
                <span class="row-outbox failed">Not sent. </span>
              ) : null}
              {props.preview}
            </span>
            {props.muted ? (
              <span class="row-muted" title="Muted">
                <Icon name="bellOff" class="icon row-muted-icon" />
                <span class="visually-hidden">, muted</span>
              </span>
            ) : null}
            <UnreadBadge count={props.unread} muted={props.muted} />
          </span>
        </span>
      </a>
    </li>
  );
}
