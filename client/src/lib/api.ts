/**
 * The one HTTP client: better-auth routes and the REST API, same origin, cookies.
 * Failures become ApiError with a code; errorSentence() turns any failure into words
 * for people (never a raw server message). A 401 from a REST call reports the session
 * as ended through onSessionEnded.
 */
import {
  type ConversationSummary,
  ERROR_MESSAGES,
  isErrorCode,
  type Message,
  type MessageMark,
  type MessagesPage,
  type ReadState,
  type SearchPage,
  type Settings,
  type UsersPage,
} from "@messenger/shared";
import { observeServerDate } from "./server-clock.js";

/** Better-auth codes we phrase ourselves (shared only knows the REST codes). */
const AUTH_MESSAGES: Array<[RegExp, string]> = [
  [
    /INVALID_(EMAIL|USERNAME)_OR_PASSWORD|INVALID_PASSWORD|CREDENTIAL/,
    "That username or email and password do not match.",
  ],
  [/PASSWORD_TOO_SHORT/, "Use a password of at least 10 characters."],
  [/PASSWORD_TOO_LONG/, "That password is too long."],
  [/USERNAME.*(TAKEN|EXISTS)/, "That username is already taken."],
  [/USER_ALREADY_EXISTS|EMAIL.*(TAKEN|EXISTS)/, "An account with that email already exists."],
  [/INVALID_EMAIL/, "Enter a valid email address."],
  [
    /USERNAME_TOO_SHORT|USERNAME_TOO_LONG|INVALID_USERNAME/,
    "Usernames use 3–30 letters, numbers, underscores or dots.",
  ],
  [/EMAIL_NOT_VERIFIED/, "Please verify your email address first."],
];

export const NETWORK_ERROR = "NETWORK";
const NETWORK_SENTENCE = "You appear to be offline. Check your connection and try again.";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
    this.name = "ApiError";
  }
}

/** A sentence for any failure. */
export function errorSentence(err: unknown): string {
  if (!(err instanceof ApiError)) return ERROR_MESSAGES.INTERNAL;
  if (err.code === NETWORK_ERROR) return NETWORK_SENTENCE;
  if (err.status === 429) return ERROR_MESSAGES.RATE_LIMITED;
  if (isErrorCode(err.code)) return ERROR_MESSAGES[err.code];
  for (const [pattern, sentence] of AUTH_MESSAGES) if (pattern.test(err.code)) return sentence;
  if (err.status === 401) return ERROR_MESSAGES.UNAUTHENTICATED;
  if (err.status >= 500) return ERROR_MESSAGES.INTERNAL;
  return ERROR_MESSAGES.VALIDATION_FAILED;
}

/** Reads the code from `{ error: { code } }` (REST) or `{ code }` (better-auth). */
export function errorCodeOf(body: unknown, status: number): string {
  if (typeof body === "object" && body !== null) {
    const b = body as { error?: { code?: unknown }; code?: unknown };
    if (typeof b.error?.code === "string") return b.error.code;
    if (typeof b.code === "string") return b.code;
  }
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 429) return "RATE_LIMITED";
  return status >= 500 ? "INTERNAL" : "VALIDATION_FAILED";
}

export interface AuthUser {
  id: string;
  name: string;
  email: string;
  username?: string | null;
}
export interface SessionInfo {
  session: { id: string; token?: string; userId: string; expiresAt: string };
  user: AuthUser;
}
export interface DeviceSession {
  id: string;
  token: string;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
}
export interface SignUpInput {
  name: string;
  username: string;
  email: string;
  password: string;
}

export type Api = ReturnType<typeof createApi>;

export function createApi(options: { base?: string; onSessionEnded: () => void; fetch?: typeof fetch }) {
  const base = options.base ?? "";
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request<T>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        credentials: "include",
        headers:
          body === undefined
            ? { accept: "application/json" }
            : { "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, NETWORK_ERROR);
    }
    observeServerDate(res.headers.get("date"));
    const text = await res.text().catch(() => "");
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!res.ok) {
      // Auth routes answer 401 for a wrong password; only REST 401s mean the session ended.
      if (res.status === 401 && !opts.auth) options.onSessionEnded();
      throw new ApiError(res.status, errorCodeOf(parsed, res.status));
    }
    return parsed as T;
  }
  const auth = { auth: true };
  const q = (params: Record<string, string | number | undefined>) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, String(v));
    const str = s.toString();
    return str ? `?${str}` : "";
  };

  return {
    getSession: () => request<SessionInfo | null>("GET", "/api/auth/get-session", undefined, auth),
    signIn(identifier: string, password: string) {
      const byEmail = identifier.includes("@");
      return request<unknown>(
        "POST",
        byEmail ? "/api/auth/sign-in/email" : "/api/auth/sign-in/username",
        byEmail ? { email: identifier, password } : { username: identifier, password },
        auth,
      );
    },
    signUp: (input: SignUpInput) => request<unknown>("POST", "/api/auth/sign-up/email", input, auth),
    signOut: () => request<unknown>("POST", "/api/auth/sign-out", {}, auth),
    listSessions: () => request<DeviceSession[]>("GET", "/api/auth/list-sessions"),
    revokeSession: (token: string) => request<unknown>("POST", "/api/auth/revoke-session", { token }),
    revokeOtherSessions: () => request<unknown>("POST", "/api/auth/revoke-other-sessions", {}),

    users: (params: { q?: string; cursor?: string; limit?: number } = {}) =>
      request<UsersPage>("GET", `/api/users${q(params)}`),
    openConversation: (userId: string) =>
      request<{ conversation: ConversationSummary }>("POST", "/api/conversations", { userId }),
    conversations: () => request<{ conversations: ConversationSummary[] }>("GET", "/api/conversations"),
    activeConversations: (tz: string) =>
      request<{ conversations: ConversationSummary[] }>("GET", `/api/conversations/active${q({ tz })}`),
    conversation: (id: string) =>
      request<{ conversation: ConversationSummary }>("GET", `/api/conversations/${encodeURIComponent(id)}`),
    /** A page of a conversation: the newest, or `before` / `after` / `around` one message (at most one of them). */
    messages: (id: string, params: { before?: string; after?: string; around?: string; limit?: number } = {}) =>
      request<MessagesPage>("GET", `/api/conversations/${encodeURIComponent(id)}/messages${q(params)}`),
    /** Messages matching `q` in my conversations, newest first; `cursor` for the next (older) page. */
    search: (params: { q: string; cursor?: string; limit?: number }) =>
      request<SearchPage>("GET", `/api/search${q(params)}`),
    /** Idempotent on the message id; pass the record's createdAt when the same message may also travel in its document. */
    createGroup: (name: string, memberIds: string[]) =>
      request<{ conversation: ConversationSummary }>("POST", "/api/groups", { name, memberIds }),
    renameGroup: (id: string, name: string) =>
      request<{ conversation: ConversationSummary }>("PATCH", `/api/groups/${encodeURIComponent(id)}`, { name }),
    addMembers: (id: string, userIds: string[]) =>
      request<{ conversation: ConversationSummary }>("POST", `/api/groups/${encodeURIComponent(id)}/members`, {
        userIds,
      }),
    /** Removes a member; my own id leaves the group. */
    removeMember: (id: string, userId: string) =>
      request<{ conversation: ConversationSummary }>(
        "DELETE",
        `/api/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      ),
    setRole: (id: string, userId: string, role: "admin" | "member") =>
      request<{ conversation: ConversationSummary }>(
        "PATCH",
        `/api/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
        { role },
      ),
    postMessage: (id: string, message: { id: string; text: string; createdAt?: number }) =>
      request<{ message: Message }>("POST", `/api/conversations/${encodeURIComponent(id)}/messages`, message),
    /** I have read up to this message (the server never moves the mark back). */
    markRead: (id: string, messageId: string) =>
      request<Omit<ReadState, "muted"> & { delivered: MessageMark | null }>(
        "PUT",
        `/api/conversations/${encodeURIComponent(id)}/read`,
        { messageId },
      ),
    /** This device has everything up to this message. */
    markDelivered: (id: string, messageId: string) =>
      request<{ delivered: MessageMark | null }>("PUT", `/api/conversations/${encodeURIComponent(id)}/delivered`, {
        messageId,
      }),
    /** Mutes or unmutes a conversation for me (every device hears of it through my inbox). */
    setMuted: (id: string, muted: boolean) =>
      request<{ muted: boolean }>("PUT", `/api/conversations/${encodeURIComponent(id)}/mute`, { muted }),
    settings: () => request<{ settings: Settings }>("GET", "/api/settings"),
    updateSettings: (settings: Partial<Settings>) =>
      request<{ settings: Settings }>("PATCH", "/api/settings", settings),
  };
}
