/**
 * What both stores' full-text indexes hold and are asked, so they and the client's offline
 * matcher (`matchesTokens`, shared/src/search.ts) agree on every message:
 *
 *  - indexed: the message's words exactly as the client splits them (`textWords`: folded,
 *    letters and digits only), each cut to MAX_SEARCH_TOKEN_LENGTH as query tokens are, joined
 *    by spaces. Feeding words rather than the folded text means neither database's own word
 *    splitting (PostgreSQL's parser reads "bob@x.com" or "1.5" as one token, FTS5 keeps
 *    private-use characters inside words) can disagree with the client's. Deleted messages
 *    and system lines are not indexed at all.
 *  - asked: the tokens of `searchTokens`, every one a prefix, all required. Only tokens of
 *    letters and digits ever reach SQL, and always as bound parameters.
 */
import { MAX_SEARCH_TOKEN_LENGTH, MAX_SEARCH_TOKENS, SYSTEM_AUTHOR, textWords } from "@messenger/shared";

const TOKEN = /^[\p{L}\p{N}]+$/u;

/** The words to index for a message, or null when it must never be found. */
export function indexWords(message: {
  authorId: string;
  text: string;
  deletedAt: number | null | undefined;
}): string[] | null {
  if (message.authorId === SYSTEM_AUTHOR || (message.deletedAt !== null && message.deletedAt !== undefined))
    return null;
  return textWords(message.text).map((w) => w.slice(0, MAX_SEARCH_TOKEN_LENGTH));
}

/** `indexWords` as one string, as both stores store it (words never hold a space). */
export function indexText(message: Parameters<typeof indexWords>[0]): string | null {
  return indexWords(message)?.join(" ") ?? null;
}

/**
 * The tokens a store will put into a query: `searchTokens` already makes them so; this
 * is the stores' own guard that nothing else (an operator, a quote) reaches a MATCH or a tsquery.
 */
export function queryTokens(tokens: readonly string[]): string[] {
  return tokens
    .filter((t) => TOKEN.test(t))
    .map((t) => t.slice(0, MAX_SEARCH_TOKEN_LENGTH))
    .slice(0, MAX_SEARCH_TOKENS);
}

/** FTS5: each token a prefix phrase ("tok"*), implicitly ANDed. */
export function ftsMatch(tokens: readonly string[]): string {
  return tokens.map((t) => `"${t.replaceAll('"', '""')}"*`).join(" ");
}

/** PostgreSQL: each token a prefix lexeme ('tok':*), ANDed; cast with ::tsquery (no dictionary). */
export function tsQuery(tokens: readonly string[]): string {
  return tokens.map((t) => `'${t.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*`).join(" & ");
}
