import type { MessageRecord, ReactionCount, ReactionEmoji } from "@messenger/shared";
import { createSignal, type JSX, Show } from "solid-js";
import type { QuoteView } from "../lib/quotes.js";
import { chosenByMe } from "../lib/reactions.js";
import { Icon } from "./icons.js";
import { MessageText } from "./message-text.js";
import { ReactionPicker, ReactionsBar } from "./reactions-bar.js";
import { ReceiptTicks, type ReceiptView } from "./receipt-ticks.js";
import { ReplyQuote } from "./reply-quote.js";

/** Replies and reactions: what a row needs to show and offer them. */
export interface MessageSocial {
  me: string;
  nameOf: (id: string) => string;
  /** The quote when the message is a reply. */
  quote?: QuoteView;
  onJump: (messageId: string) => void;
  reactions: ReactionCount[];
  canReact: boolean;
  canReply: boolean;
  onReply: (record: MessageRecord) => void;
  onReact: (record: MessageRecord, emoji: ReactionEmoji) => void;
}

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
  social?: MessageSocial;
  /** The message the conversation was opened at (a search result, a quote): highlighted. */
  highlighted?: boolean;
}

export function MessageRow(props: MessageRowProps): JSX.Element {
  const deleted = () => props.record.deletedAt !== undefined;
  const [selected, setSelected] = createSignal(false);
  const [picking, setPicking] = createSignal(false);
  const social = () => props.social;
  const mineEmoji = () =>
    (social()?.reactions ?? []).filter((c) => chosenByMe(c, social()?.me ?? "")).map((c) => c.emoji);
  const actions = () => (
    <span class="msg-actions">
      <Show when={social()?.canReply && !deleted()}>
        <button type="button" class="icon-btn" aria-label="Reply" onClick={() => social()?.onReply(props.record)}>
          <Icon name="reply" />
        </button>
      </Show>
      <Show when={social()?.canReact}>
        <button
          type="button"
          class="icon-btn"
          aria-label="React"
          aria-expanded={picking()}
          onClick={() => setPicking((v) => !v)}
        >
          <Icon name="smile" />
        </button>
      </Show>
      <Show when={props.canModify}>
        <button type="button" class="icon-btn" aria-label="Edit" onClick={() => props.onEdit(props.record)}>
          <Icon name="edit" />
        </button>
        <button type="button" class="icon-btn" aria-label="Delete" onClick={() => props.onDelete(props.record)}>
          <Icon name="trash" />
        </button>
      </Show>
    </span>
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
        <Show when={props.social?.quote}>
          {(q) => (
            <ReplyQuote
              quote={q()}
              authorName={(id) => social()?.nameOf(id) ?? ""}
              onJump={(id) => social()?.onJump(id)}
            />
          )}
        </Show>
        <Show when={!deleted()} fallback={<p class="deleted">This message was deleted</p>}>
          <MessageText text={props.record.text} />
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
        <Show when={(social()?.reactions.length ?? 0) > 0 && !deleted()}>
          <ReactionsBar
            counts={social()?.reactions ?? []}
            me={social()?.me ?? ""}
            nameOf={(id) => social()?.nameOf(id) ?? ""}
            canReact={social()?.canReact ?? false}
            onToggle={(emoji) => social()?.onReact(props.record, emoji)}
          />
        </Show>
        <Show when={picking() && social()?.canReact}>
          <ReactionPicker
            mine={mineEmoji()}
            onPick={(emoji) => {
              social()?.onReact(props.record, emoji);
              setPicking(false);
            }}
          />
        </Show>
      </div>
      <Show when={!props.mine}>{actions()}</Show>
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
