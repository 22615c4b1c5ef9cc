/**
 * better-auth's routes under /api/auth/* (sign-up, sign-in by email or username,
 * sign-out, get-session, list-sessions, revoke-*), answered by better-auth itself in
 * its own error shape `{ code, message }` (see docs/api.md).
 *
 * Before handing a request over we
 *  - replace CLIENT_IP_HEADER with the client's address (the socket's peer, or what a
 *    trusted reverse proxy saw: client-ip.ts), the only client IP better-auth's rate
 *    limiter trusts (a client cannot choose its own bucket);
 *  - resolve the session it carries, so one past its absolute lifetime is deleted
 *    before better-auth sees it (better-auth knows only the sliding expiry).
 */
import { Hono } from "hono";
import type { AuthService } from "../auth/auth.js";
import { CLIENT_IP_HEADER } from "../auth/auth.js";
import { clientIp } from "./client-ip.js";

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

export function authRoutes(
  auth: Pick<AuthService, "handler" | "enforceLifetime">,
  options: { trustedProxies?: readonly string[] } = {},
) {
  const routes = new Hono<{ Bindings: NodeBindings }>();
  routes.on(["GET", "POST"], "/*", async (c) => {
    const headers = new Headers(c.req.raw.headers);
    headers.delete(CLIENT_IP_HEADER);
    const ip = clientIp(
      c.env?.incoming?.socket?.remoteAddress,
      c.req.header("x-forwarded-for"),
      options.trustedProxies ?? [],
    );
    if (ip) headers.set(CLIENT_IP_HEADER, ip);
    await auth.enforceLifetime(headers);
    const init: RequestInit = { method: c.req.method, headers };
    if (c.req.method === "POST") init.body = await c.req.arrayBuffer();
    return auth.handler(new Request(c.req.url, init));
  });
  return routes;
}
