/**
 * GET /api/search?q=&cursor=&limit= — messages of the caller's conversations whose words
 * every word of `q` begins (folded: "cafe" finds "Café"), newest first. Deleted messages and
 * system lines are never found; a conversation left (or never joined) is never searched.
 * The cursor is the last hit's (createdAt, id, conversationId), opaque to clients.
 *
 * Searching costs the database more than a page read, so each user has a budget of their
 * own (SEARCH_BURST, then SEARCHES_PER_SECOND): typing a query letter by letter fits in it.
 */
import { ID_PATTERN, MESSAGE_ID_PATTERN, type SearchPage, SearchQuery, searchTokens } from "@messenger/shared";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import { AppError } from "../errors.js";
import type { ConversationStore, SearchPosition } from "../store/types.js";
import { createUserBudget, type UserBudget } from "../write-budget.js";
import { readQuery } from "./request.js";

/** Searches one user may run in a burst, and per second after it (per process). */
export const SEARCH_BURST = 20;
export const SEARCHES_PER_SECOND = 2;

const encodeCursor = (p: SearchPosition) =>
  Buffer.from(JSON.stringify([p.createdAt, p.id, p.conversationId])).toString("base64url");

function decodeCursor(cursor: string): SearchPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 3) {
      const [createdAt, id, conversationId] = value as unknown[];
      if (
        Number.isSafeInteger(createdAt) &&
        typeof id === "string" &&
        MESSAGE_ID_PATTERN.test(id) &&
        typeof conversationId === "string" &&
        ID_PATTERN.test(conversationId)
      )
        return { createdAt: createdAt as number, id, conversationId };
    }
  } catch {
    // fall through
  }
  throw new AppError("VALIDATION_FAILED", undefined, [
    { field: "cursor", problem: "not a cursor this server returned" },
  ]);
}

export interface SearchRoutesDeps {
  repo: Pick<ConversationStore, "search">;
  /** Defaults to SEARCH_BURST and SEARCHES_PER_SECOND per user. */
  budget?: UserBudget;
}

export function searchRoutes(deps: SearchRoutesDeps) {
  const { repo } = deps;
  const budget = deps.budget ?? createUserBudget({ burst: SEARCH_BURST, perSecond: SEARCHES_PER_SECOND });
  const routes = new Hono<{ Variables: SessionVariables }>();

  routes.get("/", async (c) => {
    const me = c.get("user").id;
    const query = readQuery(c, SearchQuery);
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const tokens = searchTokens(query.q);
    // Nothing to look for costs nothing and finds nothing.
    if (tokens.length === 0) return c.json({ results: [], nextCursor: null } satisfies SearchPage);
    if (!budget.take(me)) {
      c.header("Retry-After", String(budget.retryAfterSeconds));
      throw new AppError("RATE_LIMITED");
    }
    const { messages, hasMore } = await repo.search(me, tokens, cursor, query.limit);
    const last = messages.at(-1);
    const body: SearchPage = {
      results: messages.map((message) => ({ conversationId: message.conversationId, message })),
      nextCursor: hasMore && last ? encodeCursor(last) : null,
    };
    return c.json(body);
  });

  return routes;
}
