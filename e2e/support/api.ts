/**
 * The server's HTTP API as another client would use it: bearer tokens from
 * `set-auth-token`, no browser. For acting as "the other user" and for checking
 * what the server stored, independently of any UI.
 */
import { randomUUID } from "node:crypto";

/** The password of every seeded demo account (seeds/src/demo-data.ts). */
export const DEMO_PASSWORD = "messenger-demo";

/** Seeded usernames and display names (seeds/src/demo-data.ts). */
export const DEMO_NAMES = {
  alice: "Alice Archer",
  bob: "Bob Baker",
  carol: "Carol Chen",
  dave: "Dave Diaz",
  erin: "Erin Evans",
  frank: "Frank Fischer",
  grace: "Grace Garcia",
  heidi: "Heidi Hughes",
} as const;
export type DemoUsername = keyof typeof DEMO_NAMES;

export interface ApiSession {
  baseURL: string;
  token: string;
  userId: string;
}

export interface ConversationSummary {
  id: string;
  /** A direct conversation (one per pair) or a group. */
  kind: "direct" | "group";
  name: string | null;
  memberIds: string[];
  lastMessage: { id: string; text: string; authorId: string } | null;
}

export interface ApiMessage {
  id: string;
  authorId: string;
  text: string;
}

async function call<T>(
  session: Pick<ApiSession, "baseURL"> & { token?: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ res: Response; json: T }> {
  const headers: Record<string, string> = { origin: session.baseURL };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const res = await fetch(`${session.baseURL}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { res, json: (text ? JSON.parse(text) : null) as T };
}

/** Signs in by username over HTTP (counts against the server's sign-in rate limit). */
export async function apiSignIn(baseURL: string, username: string, password = DEMO_PASSWORD): Promise<ApiSession> {
  const { res, json } = await call<{ user: { id: string } }>({ baseURL }, "POST", "/api/auth/sign-in/username", {
    username,
    password,
  });
  const token = res.headers.get("set-auth-token");
  if (!token) throw new Error("sign-in answered without a set-auth-token header");
  return { baseURL, token, userId: json.user.id };
}

export async function apiConversations(session: ApiSession): Promise<ConversationSummary[]> {
  return (await call<{ conversations: ConversationSummary[] }>(session, "GET", "/api/conversations")).json
    .conversations;
}

/** The direct conversation between the session's user and `peerId` (created if needed). */
export async function apiConversationWith(session: ApiSession, peerId: string): Promise<ConversationSummary> {
  return (await call<{ conversation: ConversationSummary }>(session, "POST", "/api/conversations", { userId: peerId }))
    .json.conversation;
}

/** The newest `limit` messages of a conversation, oldest first. */
export async function apiMessages(session: ApiSession, conversationId: string, limit = 200): Promise<ApiMessage[]> {
  return (
    await call<{ messages: ApiMessage[] }>(
      session,
      "GET",
      `/api/conversations/${conversationId}/messages?limit=${limit}`,
    )
  ).json.messages;
}

export async function apiPostMessage(
  session: ApiSession,
  conversationId: string,
  text: string,
  extra: { replyTo?: string } = {},
): Promise<ApiMessage> {
  const id = randomUUID().replaceAll("-", "");
  return (
    await call<{ message: ApiMessage }>(session, "POST", `/api/conversations/${conversationId}/messages`, {
      id,
      text,
      ...extra,
    })
  ).json.message;
}

/** Changes the user's display name (better-auth's update-user). */
export async function apiUpdateName(session: ApiSession, name: string): Promise<void> {
  await call(session, "POST", "/api/auth/update-user", { name });
}

export async function apiRevokeOtherSessions(session: ApiSession): Promise<void> {
  await call(session, "POST", "/api/auth/revoke-other-sessions", {});
}

/** A text no seeded message contains, so counting it counts only what the test sent. */
export function uniqueText(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}
