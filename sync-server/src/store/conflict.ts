/**
 * A commit refused because another process committed first (PostgreSQL shared by several
 * relay processes). The database enforces the rules that depend on what is stored, inside
 * the commit's transaction, so two processes can never both accept conflicting writes:
 *
 *  - `sequence`: the document's next sequence number is taken; this process's copy is
 *    behind. It catches up from the store and commits again; nothing is refused.
 *  - `client`: a Yjs client id in the commit already belongs to another user.
 *  - `message`: a message id in the commit already exists with another author, or in
 *    another segment of the conversation.
 *
 * The last two refuse the write of `userId` in document `doc`: that user's socket is closed
 * with the write-refused code and the document reloads from the store.
 */
export type ConflictKind = "sequence" | "client" | "message";

export class CommitConflict extends Error {
  constructor(
    readonly kind: ConflictKind,
    /** The document whose write lost; null when the store cannot tell (sequence). */
    readonly doc: string | null,
    /** The user whose write is refused (client and message conflicts). */
    readonly userId: string | null,
    message: string,
  ) {
    super(message);
    this.name = "CommitConflict";
  }
}
