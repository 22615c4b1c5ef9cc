/**
 * Child-process entry for bench 3: appends many messages to one conversation through
 * the relay's own bulk writer (`relay.writeMessages`, the path seeds use), straight into
 * the server's SQLite file while the server is stopped. Going through the relay keeps
 * segments, the message index and compaction exactly as a live server leaves them.
 *
 *   node --import tsx bench/src/long-seed.ts <db file> <conversation id>:<count>:<author a>:<author b>...
 *
 * Prints {"written": n, "ms": t} when done.
 */
import path from "node:path";
import { newMessageId } from "@messenger/shared";
import { systemClock } from "../../sync-server/src/clock.js";
import { createLogger } from "../../sync-server/src/logger.js";
import { createRelay } from "../../sync-server/src/relay/index.js";
import { openSqliteStore } from "../../sync-server/src/store/sqlite/sqlite-store.js";

const CHUNK = 5000;
const [dbFile, ...targets] = process.argv.slice(2);
if (!dbFile || targets.length === 0) {
  throw new Error("usage: long-seed.ts <db file> <conversation id>:<count>:<author a>:<author b>...");
}
const store = await openSqliteStore({ dataDir: path.dirname(dbFile), databasePath: dbFile, clock: systemClock });
const relay = createRelay({ store, logger: createLogger("warn") });

const t0 = performance.now();
let written = 0;
for (const target of targets) {
  const [conversationId, count, authorA, authorB] = target.split(":") as [string, string, string, string];
  written += await seed(conversationId, Number(count), authorA, authorB);
}
await relay.close();
await store.close();
console.log(JSON.stringify({ written, ms: performance.now() - t0 }));

async function seed(conversationId: string, count: number, authorA: string, authorB: string): Promise<number> {
  const start = Date.now() - count * 60_000;
  let stored = 0;
  for (let i = 0; i < count; i += CHUNK) {
    const records = Array.from({ length: Math.min(CHUNK, count - i) }, (_, k) => {
      const n = i + k;
      return {
        id: newMessageId(),
        author: Math.floor(n / 3) % 2 === 0 ? authorA : authorB,
        text: `history message ${n}: the quick brown fox jumps over the lazy dog`,
        createdAt: start + n * 60_000,
      };
    });
    stored += (await relay.writeMessages(conversationId, records)).written;
  }
  return stored;
}
