import { highlightRanges } from "@messenger/shared";
import { For, type JSX } from "solid-js";

/** Cuts a text at the ranges into plain and marked pieces, in order. */
export function highlightPieces(
  text: string,
  ranges: ReadonlyArray<[number, number]>,
): Array<{ text: string; mark: boolean }> {
  const pieces: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) pieces.push({ text: text.slice(at, start), mark: false });
    pieces.push({ text: text.slice(start, end), mark: true });
    at = end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), mark: false });
  return pieces;
}

/** The text with every word a search token matched in `<mark>` (text nodes only, never HTML). */
export function HighlightedText(props: { text: string; tokens: readonly string[] }): JSX.Element {
  const pieces = () => highlightPieces(props.text, highlightRanges(props.text, props.tokens));
  return <For each={pieces()}>{(p) => (p.mark ? <mark>{p.text}</mark> : p.text)}</For>;
}
