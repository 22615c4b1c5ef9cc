/**
 * Group conversations in SQLite: each change one immediate transaction (one writer at a
 * time, like every write here). Synchronous; sqlite-store.ts puts the async face on it.
 */
import type { ConversationSummary } from "@messenger/shared";
import type { Clock } from "../../clock.js";
import type { MemberRole } from "../types.js";
import { newId } from "./conversation-store.js";
import type { Db } from "./database.js";

export type SqliteGroups = ReturnType<typeof createSqliteGroups>;

export function createSqliteGroups(db: Db, clock: Clock, read: (id: string) => ConversationSummary | null) {
  const isGroup = db.prepare<[string], { one: number }>(
    `SELECT 1 AS one FROM conversation WHERE id = ? AND kind = 'group'`,
  );
  const insertGroup = db.prepare(
    `INSERT INTO conversation (id, kind, name, created_by, last_activity_at, created_at) VALUES (?, 'group', ?, ?, ?, ?)`,
  );
  const insertMember = db.prepare<[string, string, number, MemberRole]>(
    `INSERT INTO conversation_member (conversation_id, user_id, joined_at, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const rename = db.prepare<[string, string]>(`UPDATE conversation SET name = ? WHERE id = ?`);
  const roleOf = db.prepare<[string, string], { role: MemberRole }>(
    `SELECT m.role FROM conversation_member m JOIN conversation c ON c.id = m.conversation_id AND c.kind = 'group'
     WHERE m.conversation_id = ? AND m.user_id = ?`,
  );
  const deleteMember = db.prepare<[string, string]>(
    `DELETE FROM conversation_member WHERE conversation_id = ? AND user_id = ?`,
  );
  const nextOwner = db.prepare<[string], { user_id: string }>(
    `SELECT user_id FROM conversation_member WHERE conversation_id = ?
     ORDER BY role = 'admin' DESC, joined_at, user_id LIMIT 1`,
  );
  const makeOwner = db.prepare<[string, string]>(
    `UPDATE conversation_member SET role = 'owner' WHERE conversation_id = ? AND user_id = ?`,
  );
  const updateRole = db.prepare<[MemberRole, string, string]>(
    `UPDATE conversation_member SET role = ? WHERE conversation_id = ? AND user_id = ? AND role <> 'owner'`,
  );

  const must = (id: string) => {
    const conversation = read(id);
    if (!conversation) throw new Error(`group ${id} vanished while it was being changed`);
    return conversation;
  };

  return {
    create(ownerId: string, name: string, memberIds: string[]): ConversationSummary {
      const id = newId();
      const now = clock();
      db.transaction(() => {
        insertGroup.run(id, name, ownerId, now, now);
        insertMember.run(id, ownerId, now, "owner");
        for (const u of new Set(memberIds)) if (u !== ownerId) insertMember.run(id, u, now, "member");
      }).immediate();
      return must(id);
    },

    rename(id: string, name: string): ConversationSummary | null {
      if (!isGroup.get(id)) return null;
      rename.run(name, id);
      return must(id);
    },

    addMembers(id: string, userIds: string[]): { conversation: ConversationSummary; added: string[] } | null {
      if (!isGroup.get(id)) return null;
      const now = clock();
      const added = db
        .transaction(() => [...new Set(userIds)].filter((u) => insertMember.run(id, u, now, "member").changes > 0))
        .immediate();
      return { conversation: must(id), added };
    },

    removeMember(id: string, userId: string): { conversation: ConversationSummary; removed: boolean } | null {
      if (!isGroup.get(id)) return null;
      const removed = db
        .transaction(() => {
          const role = roleOf.get(id, userId)?.role;
          if (role === undefined) return false;
          deleteMember.run(id, userId);
          const heir = role === "owner" ? nextOwner.get(id) : undefined;
          if (heir) makeOwner.run(id, heir.user_id);
          return true;
        })
        .immediate();
      return { conversation: must(id), removed };
    },

    setRole(id: string, userId: string, role: "admin" | "member"): ConversationSummary | null {
      if (!isGroup.get(id)) return null;
      return updateRole.run(role, id, userId).changes > 0 ? must(id) : null;
    },

    role(id: string, userId: string): MemberRole | null {
      return roleOf.get(id, userId)?.role ?? null;
    },
  };
}
