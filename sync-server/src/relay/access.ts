/**
 * Who may open which document:
 *   conversation.<id>.<seg>  "write" for members, for any segment up to the head
 *   inbox.<userId>           "read" for that user only (the server writes it)
 */
import { parseDocName } from "@messenger/shared";
import type { ConversationStore } from "../store/types.js";
import type { Access, SocketUser } from "./types.js";

export type Authorize = (docName: string, user: SocketUser) => Promise<Access>;

export function createAccess(repo: Pick<ConversationStore, "headForMember">): Authorize {
  return async function authorize(docName, user) {
    const target = parseDocName(docName);
    if (target === null) return null;
    if (target.kind === "inbox") return target.userId === user.id ? "read" : null;
    const head = await repo.headForMember(target.conversationId, user.id);
    return head !== null && target.segment <= head ? "write" : null;
  };
}
