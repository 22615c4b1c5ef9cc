/**
 * Who is signed in. Boots from the server when reachable and from the last session
 * stored in this browser when not (so the app opens offline). Ending a session, by
 * sign-out or because the server says so, deletes this user's local data.
 */
import { ERROR_MESSAGES } from "@messenger/shared";
import { createSignal } from "solid-js";
import { type Api, ApiError, type AuthUser, NETWORK_ERROR, type SignUpInput } from "./api.js";
import { clearLocalData, LAST_SESSION_KEY, readJson, writeJson } from "./local-data.js";

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out"; notice: string | null }
  | { status: "signed-in"; user: AuthUser; sessionId: string | null; token: string | null };

interface StoredSession {
  user: AuthUser;
  sessionId: string | null;
  token: string | null;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(api: Api, hooks: { beforeClear: () => void }) {
  const [state, setState] = createSignal<SessionState>({ status: "loading" });
  let ending = false;

  async function loadFromServer(): Promise<boolean> {
    const info = await api.getSession();
    if (!info) return false;
    const stored: StoredSession = {
      user: info.user,
      sessionId: info.session.id ?? null,
      token: info.session.token ?? null,
    };
    writeJson(localStorage, LAST_SESSION_KEY, stored);
    setState({ status: "signed-in", ...stored });
    return true;
  }

  async function end(notice: string | null) {
    const s = state();
    if (ending) return;
    ending = true;
    hooks.beforeClear();
    const stored = readJson<StoredSession>(localStorage, LAST_SESSION_KEY);
    const userId = s.status === "signed-in" ? s.user.id : stored?.user.id;
    if (userId) await clearLocalData(userId).catch(() => {});
    localStorage.removeItem(LAST_SESSION_KEY);
    setState({ status: "signed-out", notice });
    ending = false;
  }

  return {
    state,
    user: () => {
      const s = state();
      return s.status === "signed-in" ? s.user : null;
    },
    async boot() {
      const stored = readJson<StoredSession>(localStorage, LAST_SESSION_KEY);
      try {
        if (await loadFromServer()) return;
        // The server says no session, but this browser had one: it expired or was revoked.
        if (stored) await end(ERROR_MESSAGES.SESSION_ENDED);
        else setState({ status: "signed-out", notice: null });
      } catch (err) {
        const offline = err instanceof ApiError && (err.code === NETWORK_ERROR || err.status >= 500);
        if (offline && stored) setState({ status: "signed-in", ...stored });
        else setState({ status: "signed-out", notice: null });
      }
    },
    async signIn(identifier: string, password: string) {
      await api.signIn(identifier, password);
      if (!(await loadFromServer())) throw new ApiError(401, "UNAUTHENTICATED");
    },
    /**
     * Creates the account, then signs in with it. The server answers a sign-up alike
     * whether or not the email was free, and never signs in (docs/api.md), so a wrong
     * password for an email that already had an account only shows here:
     * "sign-in-needed", and nothing is said about which it was.
     */
    async signUp(input: SignUpInput): Promise<"signed-in" | "sign-in-needed"> {
      await api.signUp(input);
      try {
        await api.signIn(input.email, input.password);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return "sign-in-needed";
        throw err;
      }
      if (!(await loadFromServer())) throw new ApiError(401, "UNAUTHENTICATED");
      return "signed-in";
    },
    async signOut() {
      await api.signOut().catch(() => {});
      await end(null);
    },
    /** The server ended the session (expired, revoked, signed out elsewhere). */
    ended: () => (state().status === "signed-in" ? end(ERROR_MESSAGES.SESSION_ENDED) : Promise.resolve()),
    /** Checks with the server; ends the session only when the server positively says it is gone. */
    async verify() {
      if (state().status !== "signed-in") return;
      try {
        if (!(await api.getSession())) await end(ERROR_MESSAGES.SESSION_ENDED);
      } catch {
        // Unreachable: not evidence of anything.
      }
    },
  };
}
