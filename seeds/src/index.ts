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
import { type ConversationSummary, messageRecordProblem, type SystemEvent } from "@messenger/shared";
import {
  DEMO_CONVERSATIONS,
  DEMO_EMAIL_DOMAIN,
  DEMO_GROUPS,
  DEMO_PASSWORD,
  DEMO_USERS,
  type DemoGroup,
  demoText,
  random,
} from "./demo-data.js";

export { DEMO_CONVERSATIONS, DEMO_GROUPS, DEMO_PASSWORD, DEMO_USERS, SEARCH_NEEDLE } from "./demo-data.js";

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
    /** A user's conversations: finds a demo group already there (groups have no natural key). */
    listForUser?(userId: string): Promise<ConversationSummary[]>;
    /** Marks a member's reading up to a message: the demo starts with its history read. */
    markRead?(conversationId: string, userId: string, messageId: string): Promise<unknown>;
  };
  /** The server's groups; without it (or listForUser) no group is seeded. */
  groups?: {
    create(ownerId: string, name: string, memberIds: string[]): Promise<ConversationSummary>;
    rename(id: string, name: string): Promise<ConversationSummary | null>;
    setRole(id: string, userId: string, role: "admin" | "member"): Promise<ConversationSummary | null>;
  };
  /** The relay's bulk writer: appends messages oldest first, skipping ids already stored. */
  messageWriter: {
    writeMessages(conversationId: string, records: SeedMessage[]): Promise<{ written: number; skipped: number }>;
    /** A system line by the server, dated by the server's clock. */
    postSystemLine?(conversationId: string, event: SystemEvent, text: string): Promise<unknown>;
  };
  /** Announces new conversations in their members' inboxes. */
  publishConversation?: (summary: ConversationSummary) => void;
  clock?: () => number;
  logger?: { info(msg: string, data?: Record<string, unknown>): void };
}

export interface SeedResult {
  usersCreated: number;
  conversationsCreated: number;
  groupsCreated: number;
  messagesWritten: number;
}

export async function seed(deps: SeedDeps): Promise<SeedResult> {
  const now = (deps.clock ?? Date.now)();
  const result: SeedResult = { usersCreated: 0, conversationsCreated: 0, groupsCreated: 0, messagesWritten: 0 };
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
    const messages = withNeedle(
      planMessages(index, [a, b], plan.messages, now - plan.lastAgoMs, plan.spanMs),
      plan.needle,
    );
    const { written } = await deps.messageWriter.writeMessages(conversation.id, messages);
    result.messagesWritten += written;
    await markAllRead(deps, conversation.id, [a, b], messages);
  }

  for (const [index, plan] of DEMO_GROUPS.entries()) {
    await seedGroup(deps, plan, DEMO_CONVERSATIONS.length + index, userIds, now, result);
  }

  deps.logger?.info("seeded demo data", { ...result });
  return result;
}

/** Every member has read the seeded history: a demo user's first start shows nothing unread. */
async function markAllRead(deps: SeedDeps, conversationId: string, members: string[], messages: SeedMessage[]) {
  const last = messages[messages.length - 1];
  if (!last || !deps.repo.markRead) return;
  for (const member of members) await deps.repo.markRead(conversationId, member, last.id);
}

/** A demo group: found again by its owner and name, or created; its admins; its history; a late rename. */
async function seedGroup(
  deps: SeedDeps,
  plan: DemoGroup,
  index: number,
  userIds: ReadonlyMap<string, string>,
  now: number,
  result: SeedResult,
): Promise<void> {
  const { groups, repo, messageWriter } = deps;
  if (!groups || !repo.listForUser) return;
  const id = (username: string) => userIds.get(username) as string;
  const owner = id(plan.owner);
  const others = plan.members.map(id);
  const names = [plan.name, plan.createdAs ?? plan.name];
  let conversation = (await repo.listForUser(owner)).find((c) => c.kind === "group" && names.includes(c.name ?? ""));
  if (!conversation) {
    conversation = await groups.create(owner, plan.createdAs ?? plan.name, others);
    result.groupsCreated++;
    deps.publishConversation?.(conversation);
  }
  for (const admin of plan.admins) await groups.setRole(conversation.id, id(admin), "admin");
  const messages = planMessages(index, [owner, ...others], plan.messages, now - plan.lastAgoMs, plan.spanMs);
  result.messagesWritten += (await messageWriter.writeMessages(conversation.id, messages)).written;
  await markAllRead(deps, conversation.id, [owner, ...others], messages);
  if (conversation.name === plan.name) return; // named so already (or renamed by an earlier run)
  const renamed = await groups.rename(conversation.id, plan.name);
  const ownerName = DEMO_USERS.find((u) => u.username === plan.owner)?.name ?? plan.owner;
  await messageWriter.postSystemLine?.(
    conversation.id,
    { type: "renamed", actor: owner, name: plan.name },
    `${ownerName} renamed the group to \u201c${plan.name}\u201d`,
  );
  if (renamed) deps.publishConversation?.(renamed);
}

/** The messages with the one `back` places before the newest saying `needle.text` instead. */
export function withNeedle(messages: SeedMessage[], needle: { back: number; text: string } | undefined): SeedMessage[] {
  const at = needle ? messages.length - 1 - needle.back : -1;
  if (!needle || at < 0) return messages;
  return messages.map((m, i) => (i === at ? { ...m, text: needle.text } : m));
}

/**
 * `count` messages among `users` ending at `end`, oldest first, with stable ids. Two users
 * alternate as they always have; in a group the next author is any other member.
 */
export function planMessages(
  index: number,
  users: string[],
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
    if (rand() < 0.55)
      author = users.length === 2 ? 1 - author : (author + 1 + Math.floor(rand() * (users.length - 1))) % users.length;
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
