/**
 * Conversations of the signed-in user. A conversation the caller is not a member of
 * answers 404 exactly like one that does not exist, so ids leak nothing.
 *
 *   POST /api/conversations                  start (or find) the direct conversation with a user
 *   GET  /api/conversations                  mine, most recent activity first
 *   GET  /api/conversations/active?tz=       mine with a message today (in tz) or in the last hour
 *   GET  /api/conversations/:id              one of mine
 *   GET  /api/conversations/:id/messages     a page of its messages: the newest, ?before, ?after or ?around one
 *   POST /api/conversations/:id/messages     post a message (idempotent on its id)
 *   PUT  /api/conversations/:id/read         I have read up to {messageId} (never moves back)
 *   PUT  /api/conversations/:id/delivered    a device of mine has everything up to {messageId}
 *   PUT  /api/conversations/:id/mute         {muted}: no notifications from it, on every device of mine
 */
import {
  ActiveQuery,
  type ConversationSummary,
  CreateConversationBody,
  isActive,
  isValidTimeZone,
  MAX_CLOCK_SKEW_MS,
  MarkBody,
  type Message,
  MessagesQuery,
  MuteBody,
  PostMessageBody,
} from "@messenger/shared";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { MessageWriter } from "../relay/types.js";
import type { ConversationStore, MemberMarks, UserStore } from "../store/types.js";
import { pathId, readJson, readQuery } from "./request.js";

/** Tells the members' inboxes (and those of `alsoTo`, members just removed) about a new or changed conversation. */
export type PublishConversation = (summary: ConversationSummary, alsoTo?: string[]) => void | Promise<void>;

export interface ConversationRoutesDeps {
  users: Pick<UserStore, "exists">;
  repo: ConversationStore;
  messageWriter: MessageWriter;
  publishConversation?: PublishConversation;
  /** A member's marks moved: their own inbox shows the new read state (the relay, every process). */
  readsChanged?: (marks: MemberMarks) => void;
  clock: Clock;
  logger: Logger;
}

export function conversationRoutes(deps: ConversationRoutesDeps) {
  const { users, repo, messageWriter, publishConversation, clock, logger } = deps;
  const routes = new Hono<{ Variables: SessionVariables }>();

  /** The conversation `id` if the caller is a member; otherwise not found. */
  const mine = async (id: string, userId: string): Promise<ConversationSummary> => {
    const conversation = (await repo.isMember(id, userId)) ? await repo.get(id) : null;
    if (!conversation) throw new AppError("NOT_FOUND");
    return conversation;
  };

  routes.post("/", async (c) => {
    const me = c.get("user").id;
    const { userId } = await readJson(c, CreateConversationBody);
    if (userId === me) {
      throw new AppError("VALIDATION_FAILED", "You cannot start a conversation with yourself.", [
        { field: "userId", problem: "is your own id" },
      ]);
    }
    if (!(await users.exists(userId))) throw new AppError("NOT_FOUND", "There is no user with that id.");
    const { conversation, created } = await repo.getOrCreateDirect(me, userId);
    if (created && publishConversation) {
      // The conversation exists either way; a failed inbox update must not fail the request.
      try {
        await publishConversation(conversation);
      } catch (err) {
        logger.error("publishConversation failed", { conversationId: conversation.id, err: String(err) });
      }
    }
    return c.json({ conversation }, created ? 201 : 200);
  });

  routes.get("/", async (c) => c.json({ conversations: await repo.listForUser(c.get("user").id) }));

  routes.get("/active", async (c) => {
    const { tz } = readQuery(c, ActiveQuery);
    if (!isValidTimeZone(tz)) {
      throw new AppError("VALIDATION_FAILED", undefined, [{ field: "tz", problem: "not an IANA time zone" }]);
    }
    const now = clock();
    const conversations = (await repo.listForUser(c.get("user").id)).filter((conv) =>
      isActive(conv.lastMessage?.createdAt ?? null, now, tz),
    );
    return c.json({ conversations });
  });

  routes.get("/:id", async (c) => c.json({ conversation: await mine(pathId(c, "id"), c.get("user").id) }));

  /**
   * After a mark moved: the member's read state, and every member's receipts in the summary
   * (the inbox reads the summary afresh when it writes it, so the one in hand is enough).
   */
  const announceMarks = async (conversation: ConversationSummary, marks: MemberMarks) => {
    deps.readsChanged?.(marks);
    try {
      await publishConversation?.(conversation);
    } catch (err) {
      logger.error("publishConversation failed", { conversationId: conversation.id, err: String(err) });
    }
  };

  routes.put("/:id/read", async (c) => {
    const me = c.get("user").id;
    const conversation = await mine(pathId(c, "id"), me);
    const { messageId } = await readJson(c, MarkBody);
    const marks = await repo.markRead(conversation.id, me, messageId);
    if (!marks) throw new AppError("NOT_FOUND", "There is no message with that id in this conversation.");
    await announceMarks(conversation, marks);
    return c.json({ read: marks.read, delivered: marks.delivered, unread: marks.unread });
  });

  routes.put("/:id/delivered", async (c) => {
    const me = c.get("user").id;
    const conversation = await mine(pathId(c, "id"), me);
    const { messageId } = await readJson(c, MarkBody);
    const before = conversation.receipts.find((r) => r.userId === me)?.delivered ?? null;
    const marks = await repo.markDelivered(conversation.id, me, messageId);
    if (!marks) throw new AppError("NOT_FOUND", "There is no message with that id in this conversation.");
    const moved = JSON.stringify(before) !== JSON.stringify(marks.delivered);
    if (moved) await announceMarks(conversation, marks);
    return c.json({ delivered: marks.delivered });
  });

  routes.put("/:id/mute", async (c) => {
    const me = c.get("user").id;
    const conversation = await mine(pathId(c, "id"), me);
    const { muted } = await readJson(c, MuteBody);
    const marks = await repo.setMuted(conversation.id, me, muted);
    if (!marks) throw new AppError("NOT_FOUND");
    // Only my own inbox changes (its `reads` root): the others never learn I muted them.
    deps.readsChanged?.(marks);
    return c.json({ muted: marks.muted });
  });

  routes.get("/:id/messages", async (c) => {
    const conversation = await mine(pathId(c, "id"), c.get("user").id);
    const { before, after, around, limit } = readQuery(c, MessagesQuery);
    const at = before ? { before } : after ? { after } : around ? { around } : undefined;
    const page = await repo.messagesPage(conversation.id, at, limit);
    if (!page) throw new AppError("NOT_FOUND", "There is no message with that id in this conversation.");
    return c.json(page);
  });

  routes.post("/:id/messages", async (c) => {
    const me = c.get("user").id;
    const conversation = await mine(pathId(c, "id"), me);
    const input = await readJson(c, PostMessageBody);
    if (input.createdAt !== undefined && input.createdAt > clock() + MAX_CLOCK_SKEW_MS) {
      throw new AppError("VALIDATION_FAILED", undefined, [{ field: "createdAt", problem: "too far in the future" }]);
    }
    const { record, segment, created } = await messageWriter.postMessage(conversation.id, me, input);
    if (record.author !== me) throw new AppError("CONFLICT", "A message with this id already exists.");
    const message: Message = {
      id: record.id,
      conversationId: conversation.id,
      authorId: record.author,
      text: record.text,
      createdAt: record.createdAt,
      editedAt: record.editedAt ?? null,
      deletedAt: record.deletedAt ?? null,
      segment,
      replyTo: record.replyTo ?? null,
      reactions: [],
    };
    return c.json({ message }, created ? 201 : 200);
  });

  return routes;
}
