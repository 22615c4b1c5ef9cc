import { createSignal, type JSX, Match, Switch } from "solid-js";
import { useApp } from "../lib/app-context.js";

/**
 * Settings › Notifications: the state (on, off, blocked by the browser, not supported) and the
 * one place the browser is asked for permission, from a button the user presses.
 */
export function NotificationsSetting(): JSX.Element {
  const app = useApp();
  const [busy, setBusy] = createSignal(false);
  const state = () => app.notifications.state();

  const turnOn = async () => {
    setBusy(true);
    try {
      await app.notifications.turnOn();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="notifications-h">
      <h3 id="notifications-h">Notifications</h3>
      <p class="hint" data-testid="notifications-state" data-state={state()}>
        <Switch>
          <Match when={state() === "on"}>
            On: new messages show a notification while Messenger is in the background (not for muted conversations).
          </Match>
          <Match when={state() === "off"}>Off: you are not notified of new messages.</Match>
          <Match when={state() === "blocked"}>
            Blocked by your browser. Allow notifications for this site in the browser's settings, then come back.
          </Match>
          <Match when={state() === "unsupported"}>This browser does not support notifications.</Match>
        </Switch>
      </p>
      <div class="actions">
        <Switch>
          <Match when={state() === "off"}>
            <button type="button" class="btn btn-secondary" disabled={busy()} onClick={() => void turnOn()}>
              Turn on notifications
            </button>
          </Match>
          <Match when={state() === "on"}>
            <button type="button" class="btn btn-secondary" onClick={() => app.notifications.turnOff()}>
              Turn off notifications
            </button>
          </Match>
        </Switch>
      </div>
    </section>
  );
}
