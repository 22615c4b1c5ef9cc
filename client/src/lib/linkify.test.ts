import { describe, expect, it } from "vitest";
import { displayOf, linkify, MAX_LINK_DISPLAY_CHARS, type TextToken } from "./linkify.js";

const links = (text: string) =>
  linkify(text).flatMap((t) => (t.kind === "link" ? [{ text: t.text, href: t.href }] : []));
const joined = (tokens: TextToken[]) => tokens.map((t) => t.text).join("");

describe("links in message text", () => {
  it("links http and https URLs as written", () => {
    expect(linkify("see https://example.com/a?b=1#c now")).toEqual([
      { kind: "text", text: "see " },
      {
        kind: "link",
        text: "https://example.com/a?b=1#c",
        href: "https://example.com/a?b=1#c",
        display: "https://example.com/a?b=1#c",
      },
      { kind: "text", text: " now" },
    ]);
    expect(links("HTTP://Example.com")).toEqual([{ text: "HTTP://Example.com", href: "http://example.com/" }]);
  });

  it("reads www. addresses as https", () => {
    expect(links("go to www.example.org/x")).toEqual([
      { text: "www.example.org/x", href: "https://www.example.org/x" },
    ]);
  });

  it("links email addresses and mailto: as mail", () => {
    expect(links("mail alice@example.com or mailto:bob@example.org?subject=hi")).toEqual([
      { text: "alice@example.com", href: "mailto:alice@example.com" },
      { text: "mailto:bob@example.org?subject=hi", href: "mailto:bob@example.org?subject=hi" },
    ]);
  });

  it("leaves out the punctuation that ends a sentence", () => {
    expect(links("Look: https://example.com.")).toEqual([
      { text: "https://example.com", href: "https://example.com/" },
    ]);
    expect(links("really https://example.com/a!?")[0]?.text).toBe("https://example.com/a");
    expect(links("one https://a.com, two www.b.com; three c@d.io.")).toEqual([
      { text: "https://a.com", href: "https://a.com/" },
      { text: "www.b.com", href: "https://www.b.com/" },
      { text: "c@d.io", href: "mailto:c@d.io" },
    ]);
  });

  it("leaves out a closing parenthesis that is not the URL's own", () => {
    expect(links("(see https://example.com/x)")[0]?.text).toBe("https://example.com/x");
    expect(links("https://en.wikipedia.org/wiki/Foo_(bar)")[0]?.text).toBe("https://en.wikipedia.org/wiki/Foo_(bar)");
    expect(links("(https://en.wikipedia.org/wiki/Foo_(bar)).")[0]?.text).toBe(
      "https://en.wikipedia.org/wiki/Foo_(bar)",
    );
  });

  it("keeps every other scheme as text", () => {
    for (const text of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "ftp://example.com/file",
      "about:blank",
    ]) {
      expect(linkify(text), text).toEqual([{ kind: "text", text }]);
    }
  });

  it("never lets markup or attribute text into a link", () => {
    expect(linkify("<script>alert(1)</script>")).toEqual([{ kind: "text", text: "<script>alert(1)</script>" }]);
    expect(links('https://example.com/"onmouseover="alert(1)')).toEqual([
      { text: "https://example.com/", href: "https://example.com/" },
    ]);
    expect(links("<a href=https://example.com>x</a>")[0]?.text).toBe("https://example.com");
    // A URL whose user name spells a scheme is still an https link to its host.
    expect(links("https://javascript:alert(1)@example.com")[0]?.href).toBe("https://javascript:alert(1)@example.com/");
  });

  it("needs a real host", () => {
    expect(links("http:// and https://x and www. and a@b")).toEqual([]);
    expect(links("http://localhost:3000/a")[0]?.href).toBe("http://localhost:3000/a");
  });

  it("does not link part of a word", () => {
    expect(links("xhttps://example.com")).toEqual([]);
    expect(links("awww.example.com")).toEqual([]);
  });

  it("handles unicode text and hosts", () => {
    const tokens = linkify("café → https://пример.рф/путь ✓ ok");
    expect(tokens.map((t) => t.kind)).toEqual(["text", "link", "text"]);
    const link = tokens[1];
    expect(link?.kind === "link" && link.text).toBe("https://пример.рф/путь");
    expect(link?.kind === "link" && link.href.startsWith("https://xn--")).toBe(true);
    expect(joined(tokens)).toBe("café → https://пример.рф/путь ✓ ok");
  });

  it("shortens long links for display but keeps the whole URL", () => {
    const long = `https://example.com/${"segment/".repeat(20)}end?query=1`;
    const [link] = linkify(long);
    expect(link?.kind).toBe("link");
    if (link?.kind !== "link") return;
    expect(link.href).toBe(long);
    expect(link.display.startsWith("example.com/segment/")).toBe(true);
    expect(link.display.endsWith("…")).toBe(true);
    expect(link.display.length).toBeLessThanOrEqual(MAX_LINK_DISPLAY_CHARS);
    expect(displayOf("https://example.com/short")).toBe("https://example.com/short");
    expect(displayOf(`https://${"a".repeat(60)}.com/x`)).toBe(`${"a".repeat(60)}.com…`);
  });

  it("splits a 4,000-character text with many links and keeps every character", () => {
    const unit = "word https://example.com/p?q=1 and x@y.io (www.z.org). ";
    const text = unit.repeat(Math.ceil(4000 / unit.length)).slice(0, 4000);
    const tokens = linkify(text);
    expect(joined(tokens)).toBe(text);
    expect(tokens.filter((t) => t.kind === "link").length).toBeGreaterThan(150);
    const run = "a".repeat(4000);
    expect(linkify(run)).toEqual([{ kind: "text", text: run }]);
    expect(joined(linkify(`${"a.".repeat(2000)}`))).toBe("a.".repeat(2000));
  });

  it("keeps the text whole and links only safe URLs, whatever the input (property)", () => {
    const alphabet = [
      ..."ab.:/@()<>\"' \n?!,#%-_",
      "http://",
      "https://",
      "www.",
      "javascript:",
      "data:",
      "mailto:",
      ".com",
      "é",
      "😀",
      "x@y.io",
    ];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let run = 0; run < 500; run++) {
      const length = Math.floor(random() * 30);
      let text = "";
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const tokens = linkify(text);
      expect(joined(tokens), JSON.stringify(text)).toBe(text);
      for (const t of tokens) {
        if (t.kind !== "link") continue;
        expect(t.href, JSON.stringify(text)).toMatch(/^(https?:\/\/|mailto:)/);
        expect(t.text).not.toMatch(/[\s<>"]/);
        expect(t.text).not.toMatch(/[.,!?]$/);
      }
      for (let i = 1; i < tokens.length; i++) {
        expect(tokens[i - 1]?.kind === "text" && tokens[i]?.kind === "text").toBe(false);
      }
    }
  });
});
