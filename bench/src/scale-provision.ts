/**
 * Child-process entry for the scale bench: 1:1 conversations between users of their own,
 * on a fresh store of ours, made in-process while no server runs, and the session
 * credentials the clients will use. HTTP sign-up cannot do this: every sign-up and sign-in hashes with
 * scrypt (~0.2 s each on 2 cores, ~6 min for 1,000 users) and better-auth allows 10
 * sign-ups per IP per 10 minutes.
 *
 *   node --import tsx bench/src/scale-provision.ts <out.json> <conversations> <data dir | postgres://…>
 *   node --import tsx bench/src/scale-provision.ts <out.json> group:<members> <data dir | postgres://…>
 *
 * The server's own services (`createServices`, so better-auth's migrations and the store
 * are exactly the server's) against that data dir or database:
 *   1. one account through better-auth's server API (`signUpEmail`, `signInEmail`): a real
 *      scrypt hash and a real session row;
 *   2. the other 2 x conversations - 1 accounts as copies of those rows (user, credential
 *      account with the same hash, session with a fresh token), inserted in batches;
 *   3. conversation i between users 2i and 2i+1 through the store (`getOrCreateDirect`,
 *      announced in both inboxes as the route does); or, for `group:<members>`, `members`
 *      users and one group of them all, owned by the first (`groups.create`, announced in
 *      every inbox; the route's system line is left out: no HTTP, and it is not measured);
 *   4. one copied session checked through `auth.resolveSession`, as a socket upgrade is,
 *      both as the session cookie and as `Authorization: Bearer <token>`.
 * Writes {users (id, session token), rooms (writers with their headers), group (its members
 * with the bearer header the relay bench's clients send)} to <out.json>, then
 * prints {"provisioned": …} with the timings. The writers' sockets carry the session cookie,
 * as a browser's do: the bearer header makes better-auth sign the token and check that
 * signature before the cookie's own check (~0.6 ms more server CPU per upgrade, measured).
 */
import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadConfig } from "../../sync-server/src/config.js";
import { createServices } from "../../sync-server/src/main.js";
import { rawSql } from "../../sync-server/src/store/raw-sql.js";
import { BENCH_PASSWORD } from "./lib/our-server.js";
import type { Room, Writer } from "./relay/scenario.js";

/** Rows per INSERT: under SQLite's 999 bound parameters in old builds at 11 columns. */
const ROWS_PER_INSERT = 50;
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** One group conversation's head document and every member as a writer. */
export interface GroupRoom {
  name: string;
  members: Writer[];
}

export interface Provisioned {
  users: Array<{ id: string; token: string }>;
  rooms: Room[];
  group: GroupRoom | null;
}

const [outFile, shapeArg, target] = process.argv.slice(2);
const groupMembers = shapeArg?.startsWith("group:") ? Number(shapeArg.slice("group:".length)) : null;
const conversations = groupMembers === null ? Number(shapeArg) : 0;
const userCount = groupMembers ?? conversations * 2;
if (!outFile || !target || !Number.isInteger(userCount) || userCount < (groupMembers === null ? 2 : 3)) {
  throw new Error(
    "usage: scale-provision.ts <out.json> <conversations ≥ 1 | group:<members ≥ 3>> <data dir | postgres://…>",
  );
}

/** 32 alphanumeric characters, like better-auth's own ids and session tokens. */
function randomId(): string {
  let s = "";
  for (const b of randomBytes(32)) s += ID_ALPHABET[b % ID_ALPHABET.length];
  return s;
}

const t0 = performance.now();
const location = target.startsWith("postgres") ? { DATABASE_URL: target } : { DATA_DIR: target };
const services = await createServices(loadConfig({ ...location, SEED: "false", LOG_LEVEL: "warn", NODE_ENV: "test" }));
const { auth, store, relay } = services;
try {
  const tag = Date.now().toString(36);
  const username = (i: number) => `s${tag}u${i}`;
  const email = (i: number) => `${username(i)}@bench.test`;
  // The username plugin's field: better-auth's inferred sign-up body here does not carry it (seeds pass it the same way).
  const api = auth.api as unknown as {
    signUpEmail(input: {
      body: { email: string; password: string; name: string; username: string };
    }): Promise<{ user: { id: string } }>;
  };
  const first = await api.signUpEmail({
    body: { email: email(0), password: BENCH_PASSWORD, name: username(0), username: username(0) },
  });
  const { headers: signInHeaders, response: signedIn } = await auth.api.signInEmail({
    body: { email: email(0), password: BENCH_PASSWORD },
    returnHeaders: true,
  });
  const apiMs = performance.now() - t0;
  const sessionCookie = cookieFor(signInHeaders.getSetCookie(), signedIn.token, services.config.authSecret);

  const one = async (table: string, column: string, value: string) => {
    const [row] = await rawSql(store, `SELECT * FROM "${table}" WHERE "${column}" = ?`, [value]);
    if (!row) throw new Error(`better-auth wrote no ${table} row for the first bench user`);
    return row;
  };
  const templates = {
    user: await one("user", "id", first.user.id),
    account: await one("account", "userId", first.user.id),
    session: await one("session", "token", signedIn.token),
  };

  const users = [{ id: first.user.id, token: signedIn.token }];
  const rows: Record<keyof typeof templates, Array<Record<string, unknown>>> = { user: [], account: [], session: [] };
  for (let i = 1; i < userCount; i++) {
    const id = randomId();
    const token = randomId();
    users.push({ id, token });
    const name = username(i);
    rows.user.push({ ...templates.user, id, name, email: email(i), username: name, displayUsername: name });
    rows.account.push({ ...templates.account, id: randomId(), accountId: id, userId: id });
    rows.session.push({ ...templates.session, id: randomId(), token, userId: id });
  }
  for (const table of ["user", "account", "session"] as const) await insertRows(table, rows[table]);
  const rowsMs = performance.now() - t0 - apiMs;

  const rooms: Room[] = [];
  for (let i = 0; i < conversations; i++) {
    const a = users[2 * i] as { id: string; token: string };
    const b = users[2 * i + 1] as { id: string; token: string };
    const { conversation, created } = await store.conversations.getOrCreateDirect(a.id, b.id);
    if (created) relay.publishConversation(conversation);
    const name = conversation.documents[0];
    if (!name) throw new Error(`conversation ${conversation.id} lists no documents`);
    rooms.push({
      name,
      writers: [
        { author: a.id, headers: { Cookie: sessionCookie(a.token) } },
        { author: b.id, headers: { Cookie: sessionCookie(b.token) } },
      ],
    });
  }
  let group: GroupRoom | null = null;
  if (groupMembers !== null) {
    const [owner, ...others] = users as [{ id: string; token: string }, ...Array<{ id: string; token: string }>];
    const conversation = await store.groups.create(
      owner.id,
      `bench group of ${groupMembers}`,
      others.map((u) => u.id),
    );
    relay.publishConversation(conversation);
    const name = conversation.documents[0];
    if (!name) throw new Error(`group ${conversation.id} lists no documents`);
    group = { name, members: users.map((u) => ({ author: u.id, headers: { Authorization: `Bearer ${u.token}` } })) };
  }
  await relay.settled();
  const conversationsMs = performance.now() - t0 - apiMs - rowsMs;

  const last = users[users.length - 1] as { id: string; token: string };
  const ways: Array<Record<string, string>> = [
    { cookie: sessionCookie(last.token) },
    { authorization: `Bearer ${last.token}` },
  ];
  for (const headers of ways) {
    const check = await auth.resolveSession(new Headers(headers), { refresh: false });
    if (check.info?.user.id !== last.id)
      throw new Error(`a copied session is not accepted (${Object.keys(headers)[0]})`);
  }

  writeFileSync(outFile, JSON.stringify({ users, rooms, group } satisfies Provisioned));
  console.log(
    JSON.stringify({
      provisioned: {
        users: users.length,
        rooms: rooms.length,
        groupMembers: group?.members.length ?? 0,
        apiMs,
        rowsMs,
        conversationsMs,
        store: store.kind,
      },
    }),
  );
} finally {
  await services.close();
}

/**
 * `Cookie: <name>=<token>.<signature>` for any session token, as better-auth signs it
 * (better-call: HMAC-SHA-256 with the auth secret, standard base64, the whole URI-encoded),
 * checked against the Set-Cookie better-auth sent for the first user's sign-in.
 */
function cookieFor(setCookies: string[], token: string, secret: string): (token: string) => string {
  const sent = setCookies.map((c) => /^([^=]*session_token)=([^;]*)/.exec(c)).find((m) => m !== null);
  if (!sent) throw new Error("better-auth's sign-in set no session cookie");
  const cookie = (t: string) =>
    `${sent[1]}=${encodeURIComponent(`${t}.${createHmac("sha256", secret).update(t).digest("base64")}`)}`;
  if (cookie(token) !== `${sent[1]}=${sent[2]}`) throw new Error("the session cookie is not signed as expected");
  return cookie;
}

async function insertRows(table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  const columns = Object.keys(rows[0] ?? {});
  const tuple = `(${columns.map(() => "?").join(",")})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const batch = rows.slice(i, i + ROWS_PER_INSERT);
    await rawSql(
      store,
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES ${batch.map(() => tuple).join(",")}`,
      batch.flatMap((row) => columns.map((c) => row[c])),
    );
  }
}
