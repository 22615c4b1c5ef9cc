/**
 * Sessions and accounts across processes: a session ended on one process (sign-out,
 * revoke-session, the sweep, a session found past its lifetime) is published on the bus,
 * and every other process feeds it into its own session-ended feed, which closes the
 * session's sockets there (4401) and drops its cached upgrades (auth/upgrade-cache.ts).
 * An account created or renamed is passed on the same way, so every process forgets its
 * cached upgrades of that user and puts the account in its next presence frame.
 *
 * The bus delivers at most once: a process that was disconnected from Redis can miss an
 * ended session, and its relay's periodic session sweep (SESSION_SWEEP_MS) closes it then.
 */
import type { AuthService } from "../auth/index.js";
import { type ClusterBus, decodeJson, encodeJson } from "./bus.js";

const SESSIONS_ENDED = "sessions-ended";
const USER_CHANGED = "user-changed";

export function shareAuthEvents(bus: ClusterBus, auth: Pick<AuthService, "cluster">): () => void {
  const { cluster } = auth;
  const subscriptions = [
    bus.subscribe(SESSIONS_ENDED, (payload) => {
      const ids = decodeJson(payload);
      if (Array.isArray(ids)) cluster.sessionsEndedElsewhere(ids.filter((id) => typeof id === "string"));
    }),
    bus.subscribe(USER_CHANGED, (payload) => {
      const id = decodeJson(payload);
      if (typeof id === "string") cluster.userChangedElsewhere(id);
    }),
  ];
  const unsubscribe = [
    cluster.onSessionsEndedHere((ids) => bus.publish(SESSIONS_ENDED, encodeJson(ids))),
    cluster.onUserChangedHere((id) => bus.publish(USER_CHANGED, encodeJson(id))),
  ];
  return () => {
    for (const s of subscriptions) s.close();
    for (const u of unsubscribe) u();
  };
}
