import type { JSX } from "solid-js";
import { Avatar } from "./avatar.js";
import { Icon } from "./icons.js";
import { UnreadBadge } from "./unread-badge.js";

export interface ConversationItemProps {
  id: string;
  href: string;
  peerId: string;
  peerName: string;
  online: boolean;
  /** "You: hi", "hi", "Message deleted", or "No messages yet". */
  preview: string;
  time: string | null;
  /** Messages by others I have not read here. */
  unread: number;
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
    >
      <a
        class="row"
        classList={{ unread: props.unread > 0 }}
        href={props.href}
        onClick={click}
        aria-current={props.current ? "page" : undefined}
      >
        <Avatar id={props.peerId} name={props.peerName} online={props.online} />
        <span class="row-main">
          <span class="row-top">
            <span class="row-name">{props.peerName}</span>
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
            <UnreadBadge count={props.unread} />
          </span>
        </span>
      </a>
    </li>
  );
}
