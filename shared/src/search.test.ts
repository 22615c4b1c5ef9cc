import { describe, expect, it } from "vitest";
import {
  foldText,
  highlightRanges,
  MAX_SEARCH_TOKENS,
  matchesTokens,
  searchTokens,
  searchWordIndex,
  wordIndex,
} from "./search.js";

const marked = (text: string, q: string) =>
  highlightRanges(text, searchTokens(q))
    .map(([s, e]) => text.slice(s, e))
    .join("|");

describe("search folding", () => {
  it("folds case, diacritics and compatibility forms alike", () => {
    expect(foldText("Crème BRÛLÉE ﬁne")).toBe("creme brulee fine");
  });

  it("keeps only letters and digits of a query, so no search operator survives", () => {
    expect(searchTokens(`"x" OR y* NEAR(z) -w '; DROP TABLE message; --`)).toEqual([
      "x",
      "or",
      "y",
      "near",
      "z",
      "w",
      "drop",
      "table",
    ]);
    expect(searchTokens("a b c d e f g h i j")).toHaveLength(MAX_SEARCH_TOKENS);
    expect(searchTokens("  ***  ")).toEqual([]);
  });

  it("matches when every token prefixes some word, whatever the accents", () => {
    expect(matchesTokens("Meeting at the Café tomorrow", searchTokens("cafe mee"))).toBe(true);
    expect(matchesTokens("Meeting at the Café tomorrow", searchTokens("cafe lunch"))).toBe(false);
    expect(matchesTokens("anything", [])).toBe(false);
    expect(matchesTokens("unmeeting", searchTokens("meeting"))).toBe(false);
  });

  it("highlights the matched prefix of each word in the original text", () => {
    expect(marked("Meeting at the Café tomorrow", "cafe mee")).toBe("Mee|Café");
    expect(marked("Cafe\u0301 noir", "cafe")).toBe("Cafe\u0301");
    expect(marked("👋 Ünïcode ok", "uni")).toBe("Ünï");
    expect(marked("nothing here", "zzz")).toBe("");
  });
});

describe("a word index", () => {
  it("finds exactly what matchesTokens finds, in index order, up to the limit", () => {
    const words = ["Café", "cafe", "Crème", "brûlée", "meeting", "meet", "ﬁne", "x1", "Ünïcode", "the", "théâtre"];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const texts = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + (next() % 6) }, () => words[next() % words.length]).join(next() % 2 ? " " : ", "),
    );
    const index = wordIndex(texts, (t) => t);
    for (const q of ["cafe", "caf the", "mee", "creme brul", "fine", "uni", "thea", "x", "zzz", "", "t h"]) {
      const tokens = searchTokens(q);
      expect(searchWordIndex(index, tokens), q).toEqual(texts.filter((t) => matchesTokens(t, tokens)));
      expect(searchWordIndex(index, tokens, 3), q).toEqual(texts.filter((t) => matchesTokens(t, tokens)).slice(0, 3));
    }
  });
});
