/**
 * Group conversations in PostgreSQL. Each change is one transaction that locks the
 * conversation row first (as the relay's index write does), so changes to one group from
 * several processes, and messages indexed meanwhile, apply one after another.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { GroupStore, MemberRole } from "../types.js";
import { readConversation } from "./conversation-rows.js";
import { withTransaction } from "./pool.js";

const lockGroup = async (client: pg.PoolClient, id: string): Promise<boolean> => {
  const { rowCount } = await client.query(`SELECT 1 FROM conversation WHERE id = $1 AND kind = 'group' FOR UPDATE`, [
    id,
  ]);
  return (rowCount ?? 0) > 0;
};

export function createPgGroups(pool: pg.Pool, clock: () => number): GroupStore {
  return {
    async create(ownerId, name, memberIds) {
      const id = randomBytes(12).toString("base64url");
      const now = clock();
      const others = [...new Set(memberIds)].filter((u) => u !== ownerId);
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO conversation (id, kind, name, created_by, last_activity_at, created_at)
           VALUES ($1, 'group', $2, $3, $4, $4)`,
          [id, name, ownerId, now],
        );
        await client.query(
          `INSERT INTO conversation_member (conversation_id, user_id, joined_at, role)
           SELECT $1, u.id, $2, CASE WHEN u.id = $3 THEN 'owner' ELSE 'member' END
           FROM unnest($4::text[]) AS u(id)`,
          [id, now, ownerId, [ownerId, ...others]],
        );
      });
      const created = await readConversation(pool, id);
      if (!created) throw new Error(`group ${id} vanished after it was created`);
      return created;
    },

    async rename(id, name) {
      const found = await withTransaction(pool, async (client) => {
        if (!(await lockGroup(client, id))) return false;
        await client.query(`UPDATE conversation SET name = $2 WHERE id = $1`, [id, name]);
        return true;
      });
      return found ? readConversation(pool, id) : null;
    },

    async addMembers(id, userIds) {
      const added = await withTransaction(pool, async (client) => {
        if (!(await lockGroup(client, id))) return null;
        const { rows } = await client.query<{ user_id: string }>(
          `INSERT INTO conversation_member (conversation_id, user_id, joined_at, role)
           SELECT $1, u, $2, 'member' FROM unnest($3::text[]) AS u ON CONFLICT DO NOTHING RETURNING user_id`,
          [id, clock(), [...new Set(userIds)]],
        );
        return rows.map((r) => r.user_id);
      });
      if (added === null) return null;
      const conversation = await readConversation(pool, id);
      return conversation ? { conversation, added } : null;
    },

    async removeMember(id, userId) {
      const removed = await withTransaction(pool, async (client) => {
        if (!(await lockGroup(client, id))) return null;
        const { rows } = await client.query<{ role: MemberRole }>(
          `DELETE FROM conversation_member WHERE conversation_id = $1 AND user_id = $2 RETURNING role`,
          [id, userId],
        );
        if (rows[0]?.role === "owner") {
          await client.query(
            `UPDATE conversation_member SET role = 'owner' WHERE conversation_id = $1 AND user_id = (
               SELECT user_id FROM conversation_member WHERE conversation_id = $1
               ORDER BY role = 'admin' DESC, joined_at, user_id LIMIT 1)`,
            [id],
          );
        }
        return rows.length > 0;
      });
      if (removed === null) return null;
      const conversation = await readConversation(pool, id);
      return conversation ? { conversation, removed } : null;
    },

    async setRole(id, userId, role) {
      const changed = await withTransaction(pool, async (client) => {
        if (!(await lockGroup(client, id))) return false;
        const { rowCount } = await client.query(
          `UPDATE conversation_member SET role = $3 WHERE conversation_id = $1 AND user_id = $2 AND role <> 'owner'`,
          [id, userId, role],
        );
        return (rowCount ?? 0) > 0;
      });
      return changed ? readConversation(pool, id) : null;
    },

    async role(id, userId) {
      const { rows } = await pool.query<{ role: MemberRole }>(
        `SELECT m.role FROM conversation_member m JOIN conversation c ON c.id = m.conversation_id AND c.kind = 'group'
         WHERE m.conversation_id = $1 AND m.user_id = $2`,
        [id, userId],
      );
      return rows[0]?.role ?? null;
    },
  };
}
