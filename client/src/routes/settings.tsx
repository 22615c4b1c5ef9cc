import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import { NotificationsSetting } from "../components/notifications-setting.js";
import { ReadReceiptsToggle } from "../components/read-receipts-toggle.js";
import { SessionItem } from "../components/session-item.js";
import { type DeviceSession, errorSentence } from "../lib/api.js";
import { useApp } from "../lib/app-context.js";
import { formatAgo } from "../lib/time-format.js";
import { describeUserAgent } from "../lib/user-agent.js";

/** Account, devices (sessions) with revoke, and sign-out. */
export function Settings(): JSX.Element {
  const app = useApp();
  const user = () => app.session.user();
  const [sessions, { refetch }] = createResource(() => app.api.listSessions());
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);

  const state = () => app.session.state();
  const isCurrent = (s: DeviceSession) => {
    const st = state();
    if (st.status !== "signed-in") return false;
    return (st.token !== null && s.token === st.token) || s.id === st.sessionId;
  };
  const ordered = () => [...(sessions() ?? [])].sort((a, b) => Number(isCurrent(b)) - Number(isCurrent(a)));

  const act = async (key: string, work: () => Promise<unknown>, message: string) => {
    setBusy(key);
    setError(null);
    setDone(null);
    try {
      await work();
      setDone(message);
      await refetch();
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusy(null);
    }
  };

  const detail = (s: DeviceSession) => {
    const last = Date.parse(s.updatedAt || s.createdAt);
    // Local test servers report an all-zero address; it says nothing to a person.
    const ip = s.ipAddress && !/^[0:.]*$/.test(s.ipAddress) && s.ipAddress !== "::1" ? s.ipAddress : null;
    const parts = [Number.isNaN(last) ? null : `Active ${formatAgo(last, app.data.now())}`, ip];
    return parts.filter(Boolean).join(" · ");
  };

  return (
    <>
      <div class="panel-head">
        <h2>Settings</h2>
      </div>
      <div class="panel-body">
        <div class="settings">
          <section aria-labelledby="account-h">
            <h3 id="account-h">Account</h3>
            <div class="card">
              <span class="row-name">{user()?.name}</span>
              <span class="row-sub">
                {user()?.username ? `@${user()?.username} · ` : ""}
                {user()?.email}
              </span>
            </div>
            <div class="actions">
              <button type="button" class="btn btn-secondary" onClick={() => void app.session.signOut()}>
                Sign out
              </button>
            </div>
          </section>
          <NotificationsSetting />
          <ReadReceiptsToggle />
          <section aria-labelledby="devices-h">
            <h3 id="devices-h">Devices</h3>
            <p class="hint">Where you are signed in. Revoke a device you do not recognise.</p>
            <Show when={error()}>
              <p class="alert" role="alert">
                {error()}
              </p>
            </Show>
            <p class="visually-hidden" role="status">
              {done() ?? ""}
            </p>
            <Show when={!sessions.error} fallback={<p class="hint">{errorSentence(sessions.error)}</p>}>
              <Show when={sessions()} fallback={<p class="hint">Loading devices…</p>}>
                <ul class="list">
                  <For each={ordered()}>
                    {(s) => (
                      <SessionItem
                        device={describeUserAgent(s.userAgent)}
                        detail={detail(s)}
                        current={isCurrent(s)}
                        busy={busy() !== null}
                        onRevoke={() => void act(s.id, () => app.api.revokeSession(s.token), "Device signed out.")}
                      />
                    )}
                  </For>
                </ul>
              </Show>
            </Show>
            <div class="actions">
              <button
                type="button"
                class="btn btn-secondary"
                disabled={busy() !== null}
                onClick={() => void act("others", () => app.api.revokeOtherSessions(), "Signed out everywhere else.")}
              >
                Sign out everywhere else
              </button>
            </div>
          </section>
          <section aria-labelledby="about-h">
            <h3 id="about-h">Appearance</h3>
            <p class="hint">Light and dark follow your system setting.</p>
          </section>
        </div>
      </div>
    </>
  );
}
