/**
 * Demo data for a fresh server: DEMO_USERS (password DEMO_PASSWORD) and
 * DEMO_CONVERSATIONS, written the way real writes are made:
 *  - accounts through better-auth's `api.signUpEmail`, so passwords are hashed normally;
 *  - conversations through the conversation repository (one per pair);
 *  - messages through the relay's writer, which stores them with the shared
 *    schema's `addMessage` in the Yjs segment documents and indexes them.
 *
 * Idempotent: existing users are kept, conversations are found again, and message
 * ids are deterministic per conversation, so the writer skips what is stored.
 *
 * The server's services come in as `deps`; this package imports nothing from the
 * server, only the shared schema.
 */
import { type ConversationSummary, messageRecordProblem } from "@messenger/shared";
import { DEMO_CONVERSATIONS, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_USERS, demoText, random } from "./demo-data.js";

export { DEMO_CONVERSATIONS, DEMO_PASSWORD, DEMO_USERS } from "./demo-data.js";

export interface SeedMessage {
  id: string;
  author: string;
  text: string;
  createdAt: number;
}

/** What seeding needs from the server (structural: pass the real services). */
export interface SeedDeps {
  auth: {
    api: {
      signUpEmail(input: {
        body: { email: string; password: string; name: string; username: string };
      }): Promise<{ token: string | null; user: { id: string } }>;
    };
  };
  /** The server's accounts (better-auth's tables): finds a demo user already there. */
  users: { idBy(column: "username", value: string): Promise<string | null> };
  repo: {
    getOrCreateDirect(userA: string, userB: string): Promise<{ conversation: ConversationSummary; created: boolean }>;
  };
  /** The relay's bulk writer: appends messages oldest first, skipping ids already stored. */
  messageWriter: {
    writeMessages(conversationId: string, records: SeedMessage[]): Promise<{ written: number; skipped: number }>;
  };
  /** Announces new conversations in their members' inboxes. */
  publishConversation?: (summary: ConversationSummary) => void;
  clock?: () => number;
  logger?: { info(msg: string, data?: Record<string, unknown>): void };
}

export interface SeedResult {
  usersCreated: number;
  conversationsCreated: number;
  messagesWritten: number;
}

export async function seed(deps: SeedDeps): Promise<SeedResult> {
  const now = (deps.clock ?? Date.now)();
  const result: SeedResult = { usersCreated: 0, conversationsCreated: 0, messagesWritten: 0 };
  const userIds = new Map<string, string>();
  for (const user of DEMO_USERS) {
    const existing = await deps.users.idBy("username", user.username);
    if (existing) {
      userIds.set(user.username, existing);
      continue;
    }
    const created = await deps.auth.api.signUpEmail({
      body: {
        email: `${user.username}@${DEMO_EMAIL_DOMAIN}`,
        password: DEMO_PASSWORD,
        name: user.name,
        username: user.username,
      },
    });
    userIds.set(user.username, created.user.id);
    result.usersCreated++;
  }

  for (const [index, plan] of DEMO_CONVERSATIONS.entries()) {
    const [a, b] = plan.between.map((u) => userIds.get(u) as string) as [string, string];
    const { conversation, created } = await deps.repo.getOrCreateDirect(a, b);
    if (created) {
      result.conversationsCreated++;
      deps.publishConversation?.(conversation);
    }
    const messages = planMessages(index, [a, b], plan.messages, now - plan.lastAgoMs, plan.spanMs);
    const { written } = await deps.messageWriter.writeMessages(conversation.id, messages);
    result.messagesWritten += written;
  }

  deps.logger?.info("seeded demo data", { ...result });
  return result;
}

/** `count` messages between two users ending at `end`, oldest first, with stable ids. */
export function planMessages(
  index: number,
  users: [string, string],
  count: number,
  end: number,
  spanMs: number,
): SeedMessage[] {
  const rand = random(index + 1);
  const step = count > 1 ? spanMs / (count - 1) : 0;
  const messages: SeedMessage[] = [];
  let author = 0;
  let previous = 0;
  for (let i = 0; i < count; i++) {
    if (rand() < 0.55) author = 1 - author;
    // Evenly spread with a little jitter, strictly increasing, the last one exactly at `end`.
    const jitter = i === count - 1 ? 0 : Math.floor((rand() - 0.5) * step * 0.5);
    const createdAt = Math.max(previous + 1, Math.round(end - spanMs + i * step) + jitter);
    previous = createdAt;
    const message = {
      id: `seed-${String(i).padStart(5, "0")}`,
      author: users[author] as string,
      text: demoText(rand),
      createdAt,
    };
    const problem = messageRecordProblem(message);
    if (problem) throw new TypeError(`seed message ${message.id} is invalid: ${problem}`);
    messages.push(message);
  }
  return messages;
}
