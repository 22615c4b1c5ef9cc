/**
 * The server's index and the client's offline matcher must find the same messages: over a
 * random corpus (accents, case, punctuation, digits, scripts, edits, deletions, several
 * conversations), every random query's hits from the store equal `matchesTokens` applied to
 * what the user may read. Runs on the store of the vitest project (SQLite or PostgreSQL).
 */
import { type MessageRecord, matchesTokens, SYSTEM_AUTHOR, searchTokens } from "@messenger/shared";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/helpers/rng.js";
import { openTestStore } from "./open-test-store.js";
import type { SearchPosition } from "./types.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20260301);
const T0 = 1_750_000_000_000;
const WORDS = [
  "café",
  "Cafe",
  "CAFÉTÉRIA",
  "meeting",
  "Meet",
  "meetup",
  "naïve",
  "NAIVE",
  "straße",
  "strasse",
  "Ωμέγα",
  "ωμεγα",
  "日本語",
  "日本",
  "テスト",
  "über",
  "Uber",
  "ﬁle",
  "file",
  "2024",
  "20",
  "v2",
  "x1y2",
  "ĳssel",
  "Zoë",
  "zoe",
  "résumé",
  "resume",
  "e-mail",
  "bob@example.com",
  "1.5",
  "don't",
  "#hashtag",
  "@mention",
];
const SEPARATORS = [" ", "  ", ", ", ". ", "! ", "?", "-", "_", "/", "\n", " (", ") ", "…", "😀"];

describe("search agrees with the client's matcher", () => {
  it(`finds exactly what matchesTokens finds over a random corpus (seed ${SEED})`, async () => {
    const r = seededRandom(SEED);
    const { store } = await openTestStore();
    const users = ["ann", "ben", "cat"];
    const conversations = [
      (await store.conversations.getOrCreateDirect("ann", "ben")).conversation.id,
      (await store.conversations.getOrCreateDirect("ben", "cat")).conversation.id,
      (await store.groups.create("ann", "All", ["ben", "cat"])).id,
    ];
    const sentence = () =>
      Array.from({ length: 1 + r.int(7) }, () => r.pick(WORDS))
        .map((w, i) => (i === 0 ? w : r.pick(SEPARATORS) + w))
        .join("");
    // Every message as the index holds it last, per conversation.
    const held = new Map<string, MessageRecord>();
    let n = 0;
    for (let round = 0; round < 4; round++) {
      await store.transaction(async (tx) => {
        for (const conversationId of conversations) {
          const records: MessageRecord[] = [];
          for (let i = 0; i < 40; i++) {
            const id = `m${String(n++).padStart(7, "0")}`;
            // Some share a time, so the order's tie-breaks are exercised too.
            const createdAt = T0 + r.int(500) * 1000;
            records.push(
              r.chance(0.05)
                ? {
                    id,
                    author: SYSTEM_AUTHOR,
                    text: sentence(),
                    createdAt,
                    system: { type: "renamed", actor: "ann", name: "x" },
                  }
                : { id, author: r.pick(users), text: sentence(), createdAt },
            );
          }
          // Edits and deletions of messages written in earlier rounds.
          for (const [key, old] of held)
            if (key.startsWith(conversationId) && old.author !== SYSTEM_AUTHOR && r.chance(0.1))
              records.push(
                r.chance(0.5)
                  ? { ...old, text: sentence(), editedAt: T0 + 1e6 }
                  : { ...old, text: "", deletedAt: T0 + 1e6 },
              );
          await tx.indexMessages(conversationId, 0, records);
          for (const rec of records) held.set(`${conversationId}/${rec.id}`, rec);
        }
      });
    }

    const readable = (userId: string) =>
      [...held].filter(([key]) =>
        conversations.some(
          (c, i) => key.startsWith(`${c}/`) && (i === 2 || (i === 0 ? userId !== "cat" : userId !== "ann")),
        ),
      );
    let nonEmpty = 0;
    for (let q = 0; q < 60; q++) {
      const userId = r.pick(users);
      const query = Array.from({ length: 1 + r.int(2) }, () => {
        const w = r.pick(WORDS);
        return r.chance(0.5) ? w.slice(0, 1 + r.int(w.length)) : w;
      }).join(r.pick([" ", ", ", "-"]));
      const tokens = searchTokens(query);
      const expected = readable(userId)
        .map(([key, rec]) => ({ key, rec }))
        .filter(({ rec }) => rec.author !== SYSTEM_AUTHOR && rec.deletedAt === undefined)
        .filter(({ rec }) => matchesTokens(rec.text, tokens))
        .map(({ key }) => key)
        .sort();
      const found: string[] = [];
      let cursor: SearchPosition | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await store.conversations.search(userId, tokens, cursor, 37);
        found.push(...page.messages.map((m) => `${m.conversationId}/${m.id}`));
        const last = page.messages.at(-1);
        if (!page.hasMore || !last) break;
        cursor = last;
      }
      expect(found.slice().sort(), `${userId} searching ${JSON.stringify(query)} → ${JSON.stringify(tokens)}`).toEqual(
        expected,
      );
      expect(new Set(found).size).toBe(found.length);
      if (expected.length > 0) nonEmpty++;
    }
    // The corpus is meant to make most queries find something; a run where none did tests nothing.
    expect(nonEmpty).toBeGreaterThan(30);
  });
});
