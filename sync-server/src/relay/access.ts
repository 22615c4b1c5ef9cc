/**
 * Who may open which document:
 *   conversation.<id>.<seg>  "write" for members, for any segment up to the head
 *   inbox.<userId>           "read" for that user only (the server writes it)
 */
import { parseDocName } from "@messenger/shared";
import type { ConversationStore } from "../store/types.js";
import type { Access, SocketUser } from "./types.js";

export type Authorize = (docName: string, user: SocketUser) => Promise<Access>;

export function createAccess(repo: Pick<ConversationStore, "get" | "isMember">): Authorize {
  return async function authorize(docName, user) {
    const target = parseDocName(docName);
    if (target === null) return null;
    if (target.kind === "inbox") return target.userId === user.id ? "read" : null;
    if (!(await repo.isMember(target.conversationId, user.id))) return null;
    const conversation = await repo.get(target.conversationId);
    return conversation !== null && target.segment <= conversation.headSegment ? "write" : null;
  };
}
