import { createSignal, type JSX } from "solid-js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { Icon } from "./icons.js";

/** The conversation header's bell: mutes or unmutes notifications from it, on every device. */
export function MuteButton(props: { conversationId: string }): JSX.Element {
  const app = useApp();
  const [busy, setBusy] = createSignal(false);
  const muted = () => app.data.muted(props.conversationId);
  const toggle = async () => {
    const next = !muted();
    setBusy(true);
    try {
      await app.data.setMuted(props.conversationId, next);
      app.announce(next ? "Conversation muted." : "Conversation unmuted.");
    } catch (err) {
      app.announce(errorSentence(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="icon-btn"
      aria-label={muted() ? "Unmute notifications" : "Mute notifications"}
      aria-pressed={muted()}
      title={muted() ? "Unmute notifications" : "Mute notifications"}
      disabled={busy()}
      data-testid="mute-button"
      onClick={() => void toggle()}
    >
      <Icon name={muted() ? "bellOff" : "bell"} />
    </button>
  );
}
