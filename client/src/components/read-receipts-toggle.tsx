import { createSignal, type JSX, onMount, Show } from "solid-js";
import { errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";

/** Settings › Privacy: the read receipts switch (GET/PATCH /api/settings through app data). */
export function ReadReceiptsToggle(): JSX.Element {
  const app = useApp();
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  // Another device may have changed it.
  onMount(() => void app.data.refreshSettings().catch(() => {}));

  const change = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await app.data.setReadReceipts(on);
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="privacy-h">
      <h3 id="privacy-h">Privacy</h3>
      <label class="switch-row">
        <input
          type="checkbox"
          role="switch"
          checked={app.data.readReceipts()}
          aria-checked={app.data.readReceipts()}
          disabled={busy()}
          aria-describedby="read-receipts-hint"
          onChange={(e) => void change(e.currentTarget.checked)}
        />
        <span class="row-name">Read receipts</span>
      </label>
      <p class="hint" id="read-receipts-hint">
        If you turn this off, others won't see when you've read their messages, and you won't see theirs.
      </p>
      <Show when={error()}>
        <p class="alert" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
