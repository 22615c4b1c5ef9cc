/**
 * Accounts and sessions: better-auth with email + password, the username plugin
 * (sign in by username) and the bearer plugin (`Authorization: Bearer <token>` for
 * non-browser clients), on the server's own database (the store's SQLite file or PostgreSQL pool).
 *
 * On top of better-auth's defaults:
 *  - scrypt at an OWASP row (password.ts), passwords of 10 to 128 characters;
 *  - its rate limiter on in every environment, stricter on sign-in and sign-up,
 *    plus a per-account lockout after repeated failures (login-throttle.ts);
 *  - sessions slide (`expiresIn` = config.sessionIdleMs) but die at
 *    config.sessionAbsoluteMs from sign-in, wherever they are resolved (session-liveness.ts);
 *  - sign-up never signs in (better-auth's `autoSignIn: false`): it answers a taken
 *    email exactly like a free one, `{ token: null, user }` with no session, so it does
 *    not reveal registered addresses; the caller signs in next (docs/api.md);
 *  - signing in revokes the session the request came with (rotation);
 *  - every ended session is reported, so the relay closes its sockets;
 *  - every account created or changed is reported, for the live directory (presence.ts).
 */
import { ERROR_MESSAGES } from "@messenger/shared";
import { type BetterAuthOptions, betterAuth } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { getMigrations } from "better-auth/db/migration";
import { bearer, username } from "better-auth/plugins";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Origins } from "../origins.js";
import type { SocketUser } from "../relay/types.js";
import type { Store } from "../store/types.js";
import { createLoginThrottle, type LoginThrottle } from "./login-throttle.js";
import { hashPassword, needsRehash, verifyPassword } from "./password.js";
import { createSessionLiveness } from "./session-liveness.js";
import { createUpgradeCache } from "./upgrade-cache.js";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;
const DAY_S = 24 * 60 * 60;
/** The request header carrying the client address we read from the socket (see routes/auth.ts). */
export const CLIENT_IP_HEADER = "x-messenger-client-ip";
/** Per IP and path, in better-auth's rate limiter. Everything else under /api/auth: 100 a minute. */
export const AUTH_RATE_LIMITS = {
  "/sign-in/*": { window: 60, max: 10 },
  "/sign-up/*": { window: 600, max: 10 },
} as const;

const SIGN_IN_PATHS = new Set(["/sign-in/email", "/sign-in/username"]);

export interface AuthDeps {
  config: Config;
  store: Pick<Store, "authDatabase" | "users" | "sessions">;
  clock: Clock;
  logger: Logger;
  /** Trusted browser origins (origins.ts); defaults to config.trustedOrigins. */
  origins?: Pick<Origins, "isTrusted" | "list">;
  /** The per-account sign-in throttle; in this process's memory when absent (one process). */
  throttle?: LoginThrottle;
  /** Where better-auth counts its per-IP limits; its own memory when absent (one process). */
  rateLimitStorage?: NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"];
}

/** A resolved session, independent of better-auth's types. */
export interface SessionInfo {
  user: { id: string; name: string; email: string; username: string | null };
  session: { id: string; token: string; userId: string; createdAt: Date; expiresAt: Date };
}

export interface ResolvedSession {
  info: SessionInfo | null;
  /** Set-Cookie headers better-auth produced (a slid session's refreshed cookie). */
  setCookies: string[];
}

export type AuthService = ReturnType<typeof createAuth>;

export function createAuth({ config, store, clock, logger, origins, ...shared }: AuthDeps) {
  const trustedOrigins = origins?.list ?? (() => config.trustedOrigins);
  const sessions = createSessionLiveness({
    sessions: store.sessions,
    clock,
    logger,
    absoluteMs: config.sessionAbsoluteMs,
  });
  const throttle = shared.throttle ?? createLoginThrottle({ clock });
  const upgrades = createUpgradeCache({ now: clock, isLive: sessions.isLive });
  sessions.liveness.onEnded((ids) => upgrades.forget(ids));
  const userListeners = new Set<(userId: string) => void>();
  const userHereListeners = new Set<(userId: string) => void>();
  const userChangedAnywhere = (userId: string) => {
    upgrades.forgetUser(userId);
    for (const listener of userListeners) listener(userId);
  };
  const userChanged = async (user: { id: string }) => {
    userChangedAnywhere(user.id);
    for (const listener of userHereListeners) listener(user.id);
  };

  /** The throttle key of a sign-in attempt: the account when it exists, else the identifier. */
  const throttleKey = async (path: string, body: unknown): Promise<string | null> => {
    const b = (body ?? {}) as { email?: unknown; username?: unknown };
    const [column, raw] =
      path === "/sign-in/email" ? (["email", b.email] as const) : (["username", b.username] as const);
    if (typeof raw !== "string" || raw.length === 0 || raw.length > 256) return null;
    const value = raw.trim().toLowerCase();
    const userId = await store.users.idBy(column, value);
    return userId ? `user:${userId}` : `${column}:${value}`;
  };

  const options = {
    appName: "Messenger",
    baseURL: config.baseUrl,
    basePath: "/api/auth",
    secret: config.authSecret,
    database: store.authDatabase as BetterAuthOptions["database"],
    // Asked per request: in development the loopback origins follow the port the server got.
    trustedOrigins: () => trustedOrigins(),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      // No session from sign-up, so better-auth answers a taken email with the same
      // `{ token: null, user }` as a new account (hashing the password either way, so
      // the time taken is alike) instead of USER_ALREADY_EXISTS.
      autoSignIn: false,
      password: { hash: hashPassword, verify: verifyPassword },
    },
    session: {
      expiresIn: Math.floor(config.sessionIdleMs / 1000),
      updateAge: Math.min(DAY_S, Math.floor(config.sessionIdleMs / 2000)),
    },
    rateLimit: {
      // better-auth turns it off outside production by default; we want the same behaviour everywhere.
      enabled: true,
      storage: "memory" as const,
      customStorage: shared.rateLimitStorage,
      window: 60,
      max: 100,
      customRules: { ...AUTH_RATE_LIMITS },
    },
    advanced: {
      // Off by default under NODE_ENV=test; keep it on so tests see production behaviour.
      disableOriginCheck: false,
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    telemetry: { enabled: false },
    logger: {
      level: config.logLevel === "silent" ? "error" : config.logLevel,
      disabled: config.logLevel === "silent",
      log: (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) =>
        logger[level](`better-auth: ${message}`, args.length > 0 ? { details: args.map(String) } : undefined),
    },
    databaseHooks: {
      // Sign-ups and renames (update-user), for the live directory.
      user: { create: { after: userChanged }, update: { after: userChanged } },
      session: {
        delete: {
          after: async (session: { id: string }) => sessions.ended([session.id]),
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (!SIGN_IN_PATHS.has(ctx.path)) return;
        const key = await throttleKey(ctx.path, ctx.body);
        if (!key) return;
        const verdict = await throttle.check(key);
        if (!verdict.allowed) {
          const retryAfter = String(Math.ceil(verdict.retryAfterMs / 1000));
          throw new APIError(
            "TOO_MANY_REQUESTS",
            { code: "RATE_LIMITED", message: ERROR_MESSAGES.RATE_LIMITED },
            { "Retry-After": retryAfter },
          );
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        const isSignIn = SIGN_IN_PATHS.has(ctx.path);
        const created = ctx.context.newSession;
        if (isSignIn) {
          const key = await throttleKey(ctx.path, ctx.body);
          const returned = ctx.context.returned;
          if (key && created) await throttle.succeed(key);
          else if (key && isAPIError(returned) && returned.statusCode === 401) await throttle.fail(key);
          // The only moment we hold the plain password: bring an old hash up to SCRYPT_PARAMS.
          const password = (ctx.body as { password?: unknown } | undefined)?.password;
          if (created && typeof password === "string") {
            const account = await ctx.context.internalAdapter.findCredentialAccount(created.user.id);
            if (account?.password && needsRehash(account.password)) {
              await ctx.context.internalAdapter.updatePassword(created.user.id, await hashPassword(password));
            }
          }
        }
        // Rotation: a sign-in that came with a session replaces it (sign-up creates none).
        if (created && isSignIn) {
          const previous = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
          if (previous && previous !== created.session.token) await ctx.context.internalAdapter.deleteSession(previous);
        }
      }),
    },
    plugins: [username({ minUsernameLength: 3, maxUsernameLength: 30 }), bearer()],
  };

  const auth = betterAuth(options);

  const toInfo = (r: { user: Record<string, unknown>; session: Record<string, unknown> }): SessionInfo => ({
    user: {
      id: r.user.id as string,
      name: r.user.name as string,
      email: r.user.email as string,
      username: (r.user.username as string | null | undefined) ?? null,
    },
    session: {
      id: r.session.id as string,
      token: r.session.token as string,
      userId: r.session.userId as string,
      createdAt: new Date(r.session.createdAt as Date),
      expiresAt: new Date(r.session.expiresAt as Date),
    },
  });

  const hasCredentials = (headers: Headers) => headers.has("cookie") || headers.has("authorization");

  /**
   * The session behind a request's cookie or bearer token, applying every rule:
   * better-auth's expiry, our clock and the absolute lifetime (a session past it is
   * deleted and reported ended). `refresh` lets better-auth slide the session.
   */
  async function resolveSession(headers: Headers, { refresh = true } = {}): Promise<ResolvedSession> {
    if (!hasCredentials(headers)) return { info: null, setCookies: [] };
    const { headers: out, response } = await auth.api.getSession({
      headers,
      query: refresh ? {} : { disableRefresh: true },
      returnHeaders: true,
    });
    const setCookies = out?.getSetCookie() ?? [];
    if (!response) return { info: null, setCookies };
    const info = toInfo(response as unknown as { user: Record<string, unknown>; session: Record<string, unknown> });
    if (!sessions.isLive(info.session)) {
      await sessions.end([info.session.id]);
      return { info: null, setCookies: [] };
    }
    return { info, setCookies };
  }

  const isTrustedOrigin = (origin: string) => trustedOrigins().includes(origin);

  return {
    /** better-auth's server API (seeds use `api.signUpEmail`). */
    api: auth.api,
    /** better-auth's HTTP handler for /api/auth/*. */
    handler: (request: Request) => auth.handler(request),
    /** Creates or updates better-auth's tables. Call once at start, before serving. */
    async migrate(): Promise<void> {
      const { runMigrations } = await getMigrations(options);
      await runMigrations();
    },
    resolveSession,
    /** Deletes the request's session if it is past its absolute lifetime (before better-auth's own routes see it). */
    enforceLifetime: async (headers: Headers) => {
      await resolveSession(headers, { refresh: false });
    },
    /**
     * The user behind a socket upgrade (cookie or bearer), or null. A browser upgrade
     * from an untrusted origin is refused, so another site cannot ride the cookie.
     */
    async authenticate(headers: Headers): Promise<SocketUser | null> {
      const origin = headers.get("origin");
      if (origin !== null && !isTrustedOrigin(origin)) return null;
      const key = upgrades.keyOf(headers);
      const cached = key === null ? null : upgrades.get(key);
      if (cached) return cached;
      const { info } = await resolveSession(headers, { refresh: false });
      if (!info) return null;
      const user = { id: info.user.id, name: info.user.name, sessionId: info.session.id };
      if (key !== null) upgrades.set(key, user, info.session);
      return user;
    },
    isTrustedOrigin,
    /** Calls `listener` with the id of every account created or changed (name, username); returns an unsubscribe. */
    onUserChanged(listener: (userId: string) => void): () => void {
      userListeners.add(listener);
      return () => userListeners.delete(listener);
    },
    /** For the relay: which sessions are alive, and a feed of ended ones. */
    liveness: sessions.liveness,
    /**
     * What other processes must hear of (sessions ended and accounts changed here) and
     * the way in for what they heard (cluster/auth-events.ts): handled as if it happened
     * here, but never announced again.
     */
    cluster: {
      onSessionsEndedHere: sessions.onEndedHere,
      sessionsEndedElsewhere: sessions.endedElsewhere,
      onUserChangedHere(listener: (userId: string) => void): () => void {
        userHereListeners.add(listener);
        return () => userHereListeners.delete(listener);
      },
      userChangedElsewhere: userChangedAnywhere,
    },
    /** Deletes expired and over-age sessions; schedule it (e.g. hourly) from main.ts. */
    sweepSessions: () => sessions.sweep(),
  };
}
