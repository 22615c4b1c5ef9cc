import { REACTION_EMOJI, type ReactionCount, type ReactionEmoji } from "@messenger/shared";
import { createSignal, For, type JSX, Show } from "solid-js";
import { chosenByMe, reactionLabel } from "../lib/reactions.js";

/**
 * The reactions under a bubble: one chip per emoji with its count; mine are marked and a tap
 * takes mine back or adds it. Who reacted shows on hover (title) and to screen readers; on a
 * touch screen a long press opens the same list.
 */
export function ReactionsBar(props: {
  counts: ReactionCount[];
  me: string;
  nameOf: (id: string) => string;
  canReact: boolean;
  onToggle: (emoji: ReactionEmoji) => void;
}): JSX.Element {
  const [who, setWho] = createSignal<ReactionCount | null>(null);
  let pressTimer = 0;
  const press = (c: ReactionCount) => {
    clearTimeout(pressTimer);
    pressTimer = window.setTimeout(() => setWho(c), 500);
  };
  const release = () => clearTimeout(pressTimer);
  return (
    <div class="reactions" data-testid="reactions">
      <For each={props.counts}>
        {(c) => (
          <button
            type="button"
            class="reaction-chip"
            classList={{ mine: chosenByMe(c, props.me) }}
            data-testid="reaction"
            data-emoji={c.emoji}
            aria-pressed={chosenByMe(c, props.me)}
            aria-label={reactionLabel(c, props.nameOf, props.me)}
            title={reactionLabel(c, props.nameOf, props.me)}
            disabled={!props.canReact}
            onClick={() => props.onToggle(c.emoji)}
            onPointerDown={(e) => e.pointerType !== "mouse" && press(c)}
            onPointerUp={release}
            onPointerLeave={release}
            onContextMenu={(e) => {
              e.preventDefault();
              setWho(c);
            }}
          >
            <span aria-hidden="true">{c.emoji}</span>
            <span aria-hidden="true">{c.userIds.length}</span>
          </button>
        )}
      </For>
      <Show when={who()}>
        {(c) => (
          <p class="reaction-who" role="status" data-testid="reaction-who">
            {reactionLabel(c(), props.nameOf, props.me)}
            <button type="button" class="link-btn" onClick={() => setWho(null)}>
              Close
            </button>
          </p>
        )}
      </Show>
    </div>
  );
}

/** The emoji a member may react with, as a small row of buttons. */
export function ReactionPicker(props: {
  mine: readonly ReactionEmoji[];
  onPick: (emoji: ReactionEmoji) => void;
}): JSX.Element {
  return (
    <fieldset class="reaction-picker" aria-label="React" data-testid="reaction-picker">
      <For each={REACTION_EMOJI}>
        {(emoji) => (
          <button
            type="button"
            class="reaction-pick"
            aria-pressed={props.mine.includes(emoji)}
            aria-label={`React with ${emoji}`}
            data-emoji={emoji}
            onClick={() => props.onPick(emoji)}
          >
            {emoji}
          </button>
        )}
      </For>
    </fieldset>
  );
}
