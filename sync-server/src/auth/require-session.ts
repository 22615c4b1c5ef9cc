/**
 * Hono middleware: resolves the request's session (cookie or bearer) and puts
 * `user` and `session` on the context, or throws AppError("UNAUTHENTICATED").
 * A slid session's refreshed cookie is passed on to the response.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.js";
import type { AuthService, SessionInfo } from "./auth.js";

export interface SessionVariables {
  user: SessionInfo["user"];
  session: SessionInfo["session"];
}

export function requireSession(
  auth: Pick<AuthService, "resolveSession">,
): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async function requireSession(c, next) {
    const { info, setCookies } = await auth.resolveSession(c.req.raw.headers);
    if (!info) throw new AppError("UNAUTHENTICATED");
    c.set("user", info.user);
    c.set("session", info.session);
    await next();
    for (const cookie of setCookies) c.res.headers.append("Set-Cookie", cookie);
  };
}
