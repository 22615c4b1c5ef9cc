import type { MessageRecord } from "@messenger/shared";
import { createSignal, type JSX, Show } from "solid-js";
import { Icon } from "./icons.js";
import { ReceiptTicks, type ReceiptView } from "./receipt-ticks.js";

export interface MessageRowProps {
  record: MessageRecord;
  mine: boolean;
  pending: boolean;
  /** Mine only: how far it got (pending, sent, delivered, read). */
  receipt?: ReceiptView;
  startsRun: boolean;
  authorName: string;
  /** Show the author's name above the bubble (a group, someone else's message, first of a run). */
  showAuthor?: boolean;
  time: string;
  canModify: boolean;
  onEdit: (record: MessageRecord) => void;
  onDelete: (record: MessageRecord) => void;
  /** The message the conversation was opened at (a search result, a quote): highlighted. */
  highlighted?: boolean;
}

export function MessageRow(props: MessageRowProps): JSX.Element {
  const deleted = () => props.record.deletedAt !== undefined;
  const [selected, setSelected] = createSignal(false);
  const actions = () => (
    <Show when={props.canModify}>
      <span class="msg-actions">
        <button type="button" class="icon-btn" aria-label="Edit" onClick={() => props.onEdit(props.record)}>
          <Icon name="edit" />
        </button>
        <button type="button" class="icon-btn" aria-label="Delete" onClick={() => props.onDelete(props.record)}>
          <Icon name="trash" />
        </button>
      </span>
    </Show>
  );
  return (
    <div
      class="msg"
      classList={{ mine: props.mine, run: props.startsRun, selected: selected(), jumped: props.highlighted === true }}
      aria-current={props.highlighted ? "true" : undefined}
      data-testid="message"
      data-message-id={props.record.id}
      data-mine={props.mine ? "true" : "false"}
      data-pending={props.pending ? "true" : "false"}
    >
      <Show when={props.mine}>{actions()}</Show>
      {/* Tapping a bubble shows its actions on touch screens; keyboard users reach them by Tab. */}
      <div class="bubble" onPointerUp={(e) => e.pointerType !== "mouse" && setSelected((v) => !v)}>
        <Show
          when={props.showAuthor}
          fallback={<span class="visually-hidden">{props.mine ? "You:" : `${props.authorName}:`}</span>}
        >
          <span class="msg-author" data-testid="message-author">
            {props.authorName}
            <span class="visually-hidden">:</span>
          </span>
        </Show>
        <Show when={!deleted()} fallback={<p class="deleted">This message was deleted</p>}>
          <p>{props.record.text}</p>
        </Show>
        <span class="meta">
          <Show when={props.record.editedAt !== undefined && !deleted()}>
            <span>edited</span>
          </Show>
          <time datetime={new Date(props.record.createdAt).toISOString()}>{props.time}</time>
          <Show when={props.mine}>
            <ReceiptTicks
              view={props.receipt ?? { status: props.pending ? "pending" : "sent", label: "", readers: [] }}
            />
          </Show>
        </span>
      </div>
    </div>
  );
}

/** A membership change ("Alice added Dave"): a centred, muted line, not a bubble. */
export function SystemLine(props: { id: string; text: string; time: string; at: number }): JSX.Element {
  return (
    <div class="system-line" data-testid="system-line" data-message-id={props.id}>
      <span>
        {props.text}
        <span class="visually-hidden">
          , <time datetime={new Date(props.at).toISOString()}>{props.time}</time>
        </span>
      </span>
    </div>
  );
}

export function DaySeparator(props: { label: string }): JSX.Element {
  return (
    <div class="day">
      <span>{props.label}</span>
    </div>
  );
}
