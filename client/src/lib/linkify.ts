/**
 * Links in message text, pure: splits a text into plain runs and links. Only `http:`, `https:`
 * and `mailto:` ever become links (`www.…` is read as https, a bare address as mailto);
 * every other scheme (`javascript:`, `data:`, `vbscript:`, `file:` …) stays text. The caller
 * renders the tokens as text nodes and <a> elements, never as HTML.
 */

export type TextToken =
  | { kind: "text"; text: string }
  | {
      kind: "link";
      /** What the user wrote. */
      text: string;
      /** The normalized URL (always http:, https: or mailto:). */
      href: string;
      /** `text`, shortened when long: host, the start of the path, "…". */
      display: string;
    };

/** A link written longer than this is shown shortened. */
export const MAX_LINK_DISPLAY_CHARS = 48;
/** What a shortened link shows before the "…". */
const SHORT_LINK_CHARS = 40;

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/*
 * Candidates, leftmost first. The look-behinds make each alternative start only where a run
 * begins, so a long run of letters costs one pass, not one per position (4,000 characters).
 * Quotes, angle brackets and whitespace end a link: `https://x.com/"onmouseover=…` links only
 * `https://x.com/`.
 */
const CANDIDATE = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}+.-])(?:https?:\/\/|mailto:)[^\s<>"\x60]+`,
    String.raw`(?<![\p{L}\p{N}.@/-])www\.[^\s<>"\x60]+`,
    String.raw`(?<![\p{L}\p{N}._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\p{L}\p{N}@-])`,
  ].join("|"),
  "giu",
);

/** Punctuation that ends a sentence rather than a URL. */
const TRAILING = /[.,!?;:'*_]$/;

/** Drops what people expect not to be part of the link: "see https://x.com." and "(https://x.com)". */
export function trimTrailing(candidate: string): string {
  let s = candidate;
  for (;;) {
    if (TRAILING.test(s)) s = s.slice(0, -1);
    else if (s.endsWith(")") && count(s, "(") < count(s, ")")) s = s.slice(0, -1);
    else if (s.endsWith("]") && count(s, "[") < count(s, "]")) s = s.slice(0, -1);
    else return s;
  }
}

const count = (s: string, ch: string) => s.split(ch).length - 1;

/** The safe URL a candidate stands for, or null when it is none. */
export function hrefOf(candidate: string): string | null {
  const lower = candidate.toLowerCase();
  const raw = lower.startsWith("www.")
    ? `https://${candidate}`
    : /^(https?:\/\/|mailto:)/.test(lower)
      ? candidate
      : candidate.includes("@")
        ? `mailto:${candidate}`
        : null;
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === "mailto:") return url.pathname.includes("@") ? url.href : null;
  return url.hostname.includes(".") || url.hostname === "localhost" ? url.href : null;
}

/** A long link as host + the start of its path + "…"; short ones as written. */
export function displayOf(text: string): string {
  if (text.length <= MAX_LINK_DISPLAY_CHARS) return text;
  const bare = text.replace(/^(https?:\/\/|mailto:)/i, "");
  const slash = bare.search(/[/?#]/);
  const host = slash < 0 ? bare : bare.slice(0, slash);
  if (host.length >= SHORT_LINK_CHARS) return `${host}…`;
  return `${bare.slice(0, SHORT_LINK_CHARS)}…`;
}

/** The text as plain runs and links, in order; joining every token's `text` gives the input back. */
export function linkify(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let plain = "";
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = trimTrailing(match[0]);
    const href = candidate ? hrefOf(candidate) : null;
    if (!href) continue;
    const start = match.index;
    plain += text.slice(last, start);
    if (plain) tokens.push({ kind: "text", text: plain });
    plain = "";
    tokens.push({ kind: "link", text: candidate, href, display: displayOf(candidate) });
    last = start + candidate.length;
  }
  plain += text.slice(last);
  if (plain) tokens.push({ kind: "text", text: plain });
  return tokens;
}
