/**
 * Message search, as both sides read it: the server's full-text indexes (SQLite FTS5,
 * PostgreSQL tsvector) are fed `foldText` of each message and queried with the tokens
 * of `searchTokens`, and the client's offline search matches the same tokens with
 * `matchesTokens` over what the device holds, so a query finds the same messages online
 * and offline. Highlighting (`highlightRanges`) maps matches back onto the original text.
 *
 * Folding: compatibility decomposition (NFKD), combining marks dropped, lower case, so
 * "Crème", "CREME" and "creme" are one word; a word is a run of letters and digits.
 * A token matches a word it is a prefix of ("mee" finds "meeting").
 */

export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Words of a query beyond this many are ignored. */
export const MAX_SEARCH_TOKENS = 8;
/** A token longer than this cannot match any indexed word worth finding; it is cut. */
export const MAX_SEARCH_TOKEN_LENGTH = 64;

const MARKS = /\p{M}/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** One character (code point) folded: may be "" (a lone mark) or several characters ("ﬁ" → "fi"). */
function foldChar(ch: string): string {
  return ch.normalize("NFKD").replace(MARKS, "").toLowerCase();
}

/** The text as the indexes hold it: folded, diacritics removed, lower case. */
export function foldText(text: string): string {
  return text.normalize("NFKD").replace(MARKS, "").toLowerCase();
}

/** The words of a query, folded, without repeats, at most MAX_SEARCH_TOKENS. Only letters and digits: no operator survives. */
export function searchTokens(query: string): string[] {
  const folded = foldText(query.slice(0, MAX_SEARCH_QUERY_LENGTH));
  const tokens: string[] = [];
  for (const m of folded.matchAll(WORD)) {
    const token = m[0].slice(0, MAX_SEARCH_TOKEN_LENGTH);
    if (!tokens.includes(token)) tokens.push(token);
    if (tokens.length === MAX_SEARCH_TOKENS) break;
  }
  return tokens;
}

/** The folded words of a text (for an index, or the client's matcher). */
export function textWords(text: string): string[] {
  return Array.from(foldText(text).matchAll(WORD), (m) => m[0]);
}

/** Does every token prefix some word of the text? (No tokens: no match.) */
export function matchesTokens(text: string, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  const words = textWords(text);
  return tokens.every((t) => words.some((w) => w.startsWith(t)));
}

/**
 * Where the tokens match in the original text: [start, end) offsets into `text` (UTF-16),
 * sorted and not overlapping, each the prefix of a word that a token matched.
 */
export function highlightRanges(text: string, tokens: readonly string[]): Array<[number, number]> {
  if (tokens.length === 0) return [];
  // Fold character by character, remembering where each folded character came from.
  let folded = "";
  const origin: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) origin.push(i);
    folded += f;
    i += ch.length;
  }
  origin.push(text.length);
  const ranges: Array<[number, number]> = [];
  for (const m of folded.matchAll(WORD)) {
    const word = m[0];
    let best = 0;
    for (const t of tokens) if (t.length > best && word.startsWith(t)) best = t.length;
    if (best === 0) continue;
    const start = origin[m.index as number] as number;
    const endFolded = (m.index as number) + best;
    // The end is the original position after the last folded character that matched.
    let end = origin[endFolded] as number;
    if (end <= start) end = start + 1;
    // Keep combining marks that belong to the last matched character.
    while (end < text.length && foldChar(String.fromCodePoint(text.codePointAt(end) as number)) === "") end++;
    ranges.push([start, end]);
  }
  return ranges;
}

/** Items with their text's folded words, computed once: many searches over the same items (a device's offline search). */
export interface WordIndex<T> {
  items: readonly T[];
  words: readonly (readonly string[])[];
}

/** Folds every item's text once; searches over the result then only compare prefixes. */
export function wordIndex<T>(items: readonly T[], text: (item: T) => string): WordIndex<T> {
  return { items, words: items.map((item) => textWords(text(item))) };
}

/** The items (in index order) whose words every token prefixes, at most `limit`: what `matchesTokens` finds, without folding again. */
export function searchWordIndex<T>(index: WordIndex<T>, tokens: readonly string[], limit = Infinity): T[] {
  const found: T[] = [];
  if (tokens.length === 0) return found;
  for (let i = 0; i < index.items.length && found.length < limit; i++) {
    const words = index.words[i] as readonly string[];
    if (tokens.every((t) => words.some((w) => w.startsWith(t)))) found.push(index.items[i] as T);
  }
  return found;
}
