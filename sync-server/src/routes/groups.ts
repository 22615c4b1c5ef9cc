/**
 * Group conversations. The creator is the owner; the owner names admins; the owner and
 * admins rename the group and add members; they remove members (only the owner removes an
 * admin; nobody removes the owner); every member may leave. A group the caller is not in
 * answers 404 like one that does not exist. Every change is written into the timeline as
 * a system line by the server, announced in the members' inboxes (and in the inbox of a
 * member who just left or was removed, who keeps their copy read-only), and a removed
 * member's sockets on the conversation close at once (4404) on every process.
 *
 *   POST   /api/groups                       create {name, memberIds}
 *   PATCH  /api/groups/:id                   rename {name}
 *   POST   /api/groups/:id/members           add {userIds}
 *   DELETE /api/groups/:id/members/:userId   remove a member, or leave (your own id)
 *   PATCH  /api/groups/:id/members/:userId   make an admin or take it back {role} (owner only)
 */
import {
  AddMembersBody,
  type ConversationSummary,
  CreateGroupBody,
  GROUP_MAX_OTHERS,
  RenameGroupBody,
  SetRoleBody,
  type SystemEvent,
} from "@messenger/shared";
import { Hono } from "hono";
import type { SessionVariables } from "../auth/require-session.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { MessageWriter } from "../relay/types.js";
import type { GroupStore, MemberRole, UserStore } from "../store/types.js";
import type { PublishConversation } from "./conversations.js";
import { pathId, readJson } from "./request.js";

export interface GroupRoutesDeps {
  groups: GroupStore;
  users: Pick<UserStore, "byIds">;
  messageWriter: MessageWriter;
  publishConversation?: PublishConversation;
  /** Closes a removed member's sockets on the conversation (on every process). */
  memberRemoved?: (conversationId: string, userId: string) => void;
  logger: Logger;
}

const quote = (name: string) => `\u201c${name}\u201d`;

/** "Bob", "Bob and Carol", "Bob, Carol and Dave", "Bob, Carol and 3 others". */
function listNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length > 4) return `${names.slice(0, 2).join(", ")} and ${names.length - 2} others`;
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export function groupRoutes(deps: GroupRoutesDeps) {
  const { groups, users, messageWriter, logger } = deps;
  const routes = new Hono<{ Variables: SessionVariables }>();

  const names = async (ids: string[]): Promise<Map<string, string>> =>
    new Map((await users.byIds(ids)).map((u) => [u.id, u.name]));

  /** Ids that are accounts; any other is a validation error naming the field. */
  const existing = async (ids: string[], field: string): Promise<string[]> => {
    const found = await names(ids);
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0)
      throw new AppError("VALIDATION_FAILED", "Some of these users do not exist.", [
        { field, problem: `unknown user ids: ${unknown.slice(0, 5).join(", ")}` },
      ]);
    return ids;
  };

  /** The caller's role in the group; 404 when they are not in it (or it is no group). */
  const roleIn = async (id: string, userId: string): Promise<MemberRole> => {
    const role = await groups.role(id, userId);
    if (role === null) throw new AppError("NOT_FOUND", "There is no group with that id.");
    return role;
  };
  const mayManage = (role: MemberRole) => role === "owner" || role === "admin";
  const forbidden = (what: string) => new AppError("FORBIDDEN", `Only the group's ${what} may do this.`);

  /** The system line, the inboxes, and the sockets of whoever is no longer in. */
  const announce = async (
    conversation: ConversationSummary,
    event: SystemEvent,
    text: string,
    removed: string[] = [],
  ) => {
    try {
      await messageWriter.postSystemLine(conversation.id, event, text);
    } catch (err) {
      // The change itself is stored: a missing line in the timeline must not fail it.
      logger.error("could not write a system line", { conversationId: conversation.id, err: String(err) });
    }
    for (const userId of removed) deps.memberRemoved?.(conversation.id, userId);
    try {
      await deps.publishConversation?.(conversation, removed);
    } catch (err) {
      logger.error("publishConversation failed", { conversationId: conversation.id, err: String(err) });
    }
  };

  routes.post("/", async (c) => {
    const me = c.get("user");
    const body = await readJson(c, CreateGroupBody);
    const others = [...new Set(body.memberIds)].filter((id) => id !== me.id);
    if (others.length < 2)
      throw new AppError("VALIDATION_FAILED", "A group needs at least two other members.", [
        { field: "memberIds", problem: "fewer than two other members" },
      ]);
    const who = await names(await existing(others, "memberIds"));
    const conversation = await groups.create(me.id, body.name, others);
    const list = listNames(others.map((id) => who.get(id) ?? "someone"));
    await announce(
      conversation,
      { type: "created", actor: me.id, name: body.name, userIds: others },
      `${me.name} created the group ${quote(body.name)} with ${list}`,
    );
    return c.json({ conversation }, 201);
  });

  routes.patch("/:id", async (c) => {
    const me = c.get("user");
    const id = pathId(c, "id");
    if (!mayManage(await roleIn(id, me.id))) throw forbidden("owner and admins");
    const { name } = await readJson(c, RenameGroupBody);
    const conversation = await groups.rename(id, name);
    if (!conversation) throw new AppError("NOT_FOUND", "There is no group with that id.");
    await announce(
      conversation,
      { type: "renamed", actor: me.id, name },
      `${me.name} renamed the group to ${quote(name)}`,
    );
    return c.json({ conversation });
  });

  routes.post("/:id/members", async (c) => {
    const me = c.get("user");
    const id = pathId(c, "id");
    if (!mayManage(await roleIn(id, me.id))) throw forbidden("owner and admins");
    const { userIds } = await readJson(c, AddMembersBody);
    const who = await names(await existing([...new Set(userIds)], "userIds"));
    const result = await groups.addMembers(id, [...who.keys()]);
    if (!result) throw new AppError("NOT_FOUND", "There is no group with that id.");
    if (result.conversation.memberIds.length > GROUP_MAX_OTHERS + 1) {
      // Over the cap: undo the additions (another admin may have added people meanwhile).
      for (const userId of result.added) await groups.removeMember(id, userId);
      throw new AppError("VALIDATION_FAILED", `A group has at most ${GROUP_MAX_OTHERS + 1} members.`, [
        { field: "userIds", problem: "too many members" },
      ]);
    }
    if (result.added.length > 0)
      await announce(
        result.conversation,
        { type: "added", actor: me.id, userIds: result.added },
        `${me.name} added ${listNames(result.added.map((u) => who.get(u) ?? "someone"))}`,
      );
    return c.json({ conversation: result.conversation });
  });

  routes.delete("/:id/members/:userId", async (c) => {
    const me = c.get("user");
    const id = pathId(c, "id");
    const target = pathId(c, "userId");
    const mine = await roleIn(id, me.id);
    if (target !== me.id) {
      if (!mayManage(mine)) throw forbidden("owner and admins");
      const theirs = await groups.role(id, target);
      if (theirs === null) throw new AppError("NOT_FOUND", "That user is not in this group.");
      if (theirs === "owner") throw new AppError("FORBIDDEN", "Nobody can remove the group's owner.");
      if (theirs === "admin" && mine !== "owner") throw forbidden("owner");
    }
    const result = await groups.removeMember(id, target);
    if (!result?.removed) throw new AppError("NOT_FOUND", "That user is not in this group.");
    const name = (await names([target])).get(target) ?? "someone";
    await announce(
      result.conversation,
      target === me.id ? { type: "left", actor: me.id } : { type: "removed", actor: me.id, userIds: [target] },
      target === me.id ? `${me.name} left` : `${me.name} removed ${name}`,
      [target],
    );
    return c.json({ conversation: result.conversation });
  });

  routes.patch("/:id/members/:userId", async (c) => {
    const me = c.get("user");
    const id = pathId(c, "id");
    const target = pathId(c, "userId");
    if ((await roleIn(id, me.id)) !== "owner") throw forbidden("owner");
    const { role } = await readJson(c, SetRoleBody);
    const theirs = await groups.role(id, target);
    if (theirs === null) throw new AppError("NOT_FOUND", "That user is not in this group.");
    if (theirs === "owner") throw new AppError("VALIDATION_FAILED", "The owner's role does not change.");
    const conversation = await groups.setRole(id, target, role);
    if (!conversation) throw new AppError("NOT_FOUND", "That user is not in this group.");
    if (theirs === role) return c.json({ conversation }); // nothing changed: no line in the timeline
    const name = (await names([target])).get(target) ?? "someone";
    await announce(
      conversation,
      { type: "role", actor: me.id, userId: target, role },
      role === "admin" ? `${me.name} made ${name} an admin` : `${me.name} removed ${name} as an admin`,
    );
    return c.json({ conversation });
  });

  return routes;
}
