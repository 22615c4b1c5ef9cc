/**
 * The demo data: who exists, who talks to whom, and when. Times are offsets from
 * "now" at seeding, so a fresh database always has conversations that are active
 * (a message in the last hour or earlier today) and some that are not.
 */

/** One password for every demo account (listed in seeds/README.md). */
export const DEMO_PASSWORD = "messenger-demo";
export const DEMO_EMAIL_DOMAIN = "example.com";

export interface DemoUser {
  username: string;
  name: string;
}

export const DEMO_USERS: DemoUser[] = [
  { username: "alice", name: "Alice Archer" },
  { username: "bob", name: "Bob Baker" },
  { username: "carol", name: "Carol Chen" },
  { username: "dave", name: "Dave Diaz" },
  { username: "erin", name: "Erin Evans" },
  { username: "frank", name: "Frank Fischer" },
  { username: "grace", name: "Grace Garcia" },
  { username: "heidi", name: "Heidi Hughes" },
];

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface DemoConversation {
  between: [string, string];
  messages: number;
  /** The newest message is this long before now. */
  lastAgoMs: number;
  /** The messages spread over this span before the newest one. */
  spanMs: number;
  /** One distinctive message this many messages before the newest (for the search tests). */
  needle?: { back: number; text: string };
}

/**
 * Findable far back in alice–bob: "quokka" appears in no other seeded text, so a search for it
 * has exactly one hit, 2,500 messages before the newest (segment 0, never opened live).
 */
export const SEARCH_NEEDLE = { back: 2500, text: "Remember the quokka on Rottnest? Best photo of the trip" };

/**
 * alice–bob is the long one (three segments, for infinite scroll). Alice has no
 * conversation with heidi, so "start a conversation" has someone to find.
 */
export const DEMO_CONVERSATIONS: DemoConversation[] = [
  {
    between: ["alice", "bob"],
    messages: 3000,
    lastAgoMs: 5 * MINUTE_MS,
    spanMs: 60 * DAY_MS,
    needle: SEARCH_NEEDLE,
  },
  { between: ["alice", "dave"], messages: 24, lastAgoMs: 20 * MINUTE_MS, spanMs: 2 * HOUR_MS },
  { between: ["alice", "carol"], messages: 40, lastAgoMs: 3 * HOUR_MS, spanMs: 4 * DAY_MS },
  { between: ["alice", "erin"], messages: 30, lastAgoMs: 3 * DAY_MS, spanMs: 5 * DAY_MS },
  { between: ["alice", "frank"], messages: 12, lastAgoMs: 10 * DAY_MS, spanMs: 1 * DAY_MS },
  { between: ["alice", "grace"], messages: 8, lastAgoMs: 30 * DAY_MS, spanMs: 2 * HOUR_MS },
  { between: ["bob", "carol"], messages: 60, lastAgoMs: 2 * HOUR_MS, spanMs: 7 * DAY_MS },
  { between: ["carol", "dave"], messages: 20, lastAgoMs: 2 * DAY_MS, spanMs: 1 * DAY_MS },
  { between: ["grace", "heidi"], messages: 50, lastAgoMs: 10 * MINUTE_MS, spanMs: 3 * DAY_MS },
  { between: ["erin", "frank"], messages: 15, lastAgoMs: 6 * DAY_MS, spanMs: 6 * HOUR_MS },
];

export interface DemoGroup {
  name: string;
  owner: string;
  /** The other members. */
  members: string[];
  /** Members the owner makes admins. */
  admins: string[];
  messages: number;
  lastAgoMs: number;
  spanMs: number;
  /**
   * Created under this name and renamed to `name` by the owner when seeding, after the history:
   * a system line dated at seeding time (the server dates its own lines), so it comes last.
   */
  createdAs?: string;
}

/**
 * One group with a history over past days, one active today. The lists of the users the
 * browser tests look conversations up by full name (Alice Archer, Bob Baker, …) must not show
 * those names in a group's preview: previews use first names, and the one system line is
 * Grace's rename, which names nobody else.
 */
export const DEMO_GROUPS: DemoGroup[] = [
  {
    name: "Book club",
    owner: "carol",
    members: ["alice", "bob", "erin", "frank"],
    admins: ["alice"],
    messages: 36,
    lastAgoMs: 2 * DAY_MS,
    spanMs: 6 * DAY_MS,
  },
  {
    name: "Weekend climb",
    createdAs: "Climbing",
    owner: "grace",
    members: ["alice", "bob", "carol", "dave"],
    admins: ["alice"],
    messages: 18,
    lastAgoMs: 15 * MINUTE_MS,
    spanMs: 3 * HOUR_MS,
  },
];

const OPENERS = ["hey", "hi", "morning", "evening", "ok so", "quick one", "btw", "lol", "hmm", "right"];
const LINES = [
  "did you see the new release notes?",
  "are we still on for lunch tomorrow?",
  "I pushed the fix, can you take a look",
  "the train is running late again",
  "that sounds great",
  "can you send me the link?",
  "I'll be there in ten minutes",
  "how was the weekend?",
  "let's move the call to 3pm",
  "thanks, that helped a lot",
  "no worries at all",
  "I think the tests are flaky on CI",
  "coffee?",
  "found a bug in the offline sync, writing it up",
  "the demo went really well",
  "happy birthday! 🎉",
  "can't make it today, sorry",
  "what time works for you?",
  "I'll review it tonight",
  "sounds like a plan",
];

/** A small deterministic PRNG (mulberry32), so a seed is the same every time. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoText(rand: () => number): string {
  const line = LINES[Math.floor(rand() * LINES.length)] as string;
  return rand() < 0.3 ? `${OPENERS[Math.floor(rand() * OPENERS.length)]} — ${line}` : line;
}
