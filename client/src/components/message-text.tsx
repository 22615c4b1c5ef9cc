import { createMemo, For, type JSX } from "solid-js";
import { linkify } from "../lib/linkify.js";

/**
 * A message's text with its links (lib/linkify.ts): plain runs are text nodes and links are
 * <a> elements built by Solid, never HTML parsed from the text. Links open in a new tab
 * without telling it where they came from.
 */
export function MessageText(props: { text: string }): JSX.Element {
  const tokens = createMemo(() => linkify(props.text));
  return (
    <p>
      <For each={tokens()}>
        {(t) =>
          t.kind === "text" ? (
            t.text
          ) : (
            <a href={t.href} title={t.href} target="_blank" rel="noopener noreferrer">
              {t.display}
            </a>
          )
        }
      </For>
    </p>
  );
}
