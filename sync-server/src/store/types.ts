/**
 * The storage seam: everything the server keeps goes through one `Store`, with a SQLite
 * implementation (store/sqlite/, better-sqlite3, the zero-configuration default) and a
 * PostgreSQL one (store/postgres/, `DATABASE_URL=postgres://…`). Every method is async so
 * both fit; the SQLite one answers from synchronous better-sqlite3 calls.
 *
 * The relay commits a tick through `transaction`: the update log, client-id claims, the
 * message index and the inbox entries of one tick are one transaction. Transactions of one
 * store run one at a time, in the order they were asked for.
 */
import type {
  ConversationSummary,
  Message,
  MessageMark,
  MessageRecord,
  MessagesPage,
  ReactionRecord,
  ReadState,
} from "@messenger/shared";

/** A document as stored: the snapshot (if any) and every later update, oldest first. */
export interface StoredDoc {
  updates: Uint8Array[];
  /** Sequence number of the newest update folded in (snapshot or log); 0 for a new document. */
  lastSeq: number;
  /** Updates in the log after the snapshot: what compaction would fold. */
  logLength: number;
  /** Owners of the Yjs client ids used in the document. */
  clients: Map<number, string>;
}

/** What a document's log holds after a sequence number: what a copy that far along lacks. */
export interface DocTail {
  /** The snapshot (when it folds anything past `afterSeq`) and every later update, oldest first. */
  updates: Uint8Array[];
  /** Sequence number of the newest update; `afterSeq` when nothing is newer. */
  lastSeq: number;
  /** Owners of the Yjs client ids used in the document (all of them). */
  clients: Map<number, string>;
}

/** Where a page of a conversation starts: at most one of the three (none: the newest page). */
export type PageAnchor = { before: string } | { after: string } | { around: string };

/** A search hit's place in the order of results: the next page starts after it. */
export interface SearchPosition {
  createdAt: number;
  id: string;
  conversationId: string;
}

export interface SearchResult {
  /** Newest first. */
  messages: Message[];
  /** True when more hits follow the last one. */
  hasMore: boolean;
}

/** Where a message id already lives in its conversation. */
export interface IndexedMessage {
  segment: number;
  authorId: string;
}

/** One member's marks in one conversation, as stored (the read mark whatever their setting). */
export interface MemberMarks {
  conversationId: string;
  userId: string;
  unread: number;
  read: MessageMark | null;
  delivered: MessageMark | null;
  /** The member's read-receipts setting: off hides their read mark from the others. */
  readReceipts: boolean;
  /** The member muted the conversation (their own inbox's read state shows it). */
  muted: boolean;
}

export interface IndexResult {
  /** The conversation after indexing. */
  summary: ConversationSummary;
  /** Members whose marks or unread count the new messages changed. */
  marks: MemberMarks[];
  /** True when the head segment moved on: clients should open the new head document. */
  headMoved: boolean;
}

/** One row of the people directory, with last-seen from presence. */
export interface DirectoryRow {
  id: string;
  name: string;
  username: string | null;
  lastSeenAt: number | null;
}

export interface DirectoryQuery {
  /** Lower-cased substring of name or username; null for everyone. */
  q: string | null;
  /** Keyset cursor: the last row of the previous page (name, id), ordered by name case-insensitively, then id. */
  after: [name: string, id: string] | null;
  limit: number;
}

/** better-auth's session times, as its adapter stores them (Date, ISO string or ms). */
export interface SessionTimes {
  id: string;
  createdAt: Date | string | number;
  expiresAt: Date | string | number;
}

/** The durable Yjs documents: an update log per document with per-document sequence numbers, and snapshots. */
export interface DocStore {
  load(doc: string): Promise<StoredDoc>;
  /** What was committed after `afterSeq` (another process's commits), read at one instant. */
  since(doc: string, afterSeq: number): Promise<DocTail>;
  /**
   * Replaces the snapshot and every logged update through `throughSeq` with `snapshot`
   * (the whole state as one update), in one transaction. Updates after `throughSeq` stay.
   * A snapshot never replaces a newer one (two processes compacting one document).
   */
  compact(doc: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
}

/** Conversations, members and the message index (reads, and writes outside the relay's commit). */
export interface ConversationStore {
  /** The one direct conversation of a pair, created on first use (safe when several ask at once). */
  getOrCreateDirect(userA: string, userB: string): Promise<{ conversation: ConversationSummary; created: boolean }>;
  get(id: string): Promise<ConversationSummary | null>;
  isMember(conversationId: string, userId: string): Promise<boolean>;
  /** The conversation's head segment when `userId` is a member; null when not (or no such conversation). One cheap read, for socket upgrades. */
  headForMember(conversationId: string, userId: string): Promise<number | null>;
  memberIds(conversationId: string): Promise<string[]>;
  /** The user's conversations, most recent activity first. */
  listForUser(userId: string): Promise<ConversationSummary[]>;
  findMessage(conversationId: string, id: string): Promise<Message | null>;
  /**
   * A page of messages, oldest first: the newest (no anchor), older than `before`, newer than
   * `after`, or `around` one message (see message-pages.ts). Null when the anchor is unknown.
   */
  messagesPage(conversationId: string, at: PageAnchor | undefined, limit: number): Promise<MessagesPage | null>;
  /**
   * Messages of the user's conversations whose words every token prefixes (tokens as
   * `searchTokens` makes them), newest first by (createdAt, id, conversationId), after
   * `cursor`. Deleted messages and system lines are never found. No tokens: nothing.
   */
  search(
    userId: string,
    tokens: readonly string[],
    cursor: SearchPosition | null,
    limit: number,
  ): Promise<SearchResult>;
  /** Where each of `ids` already lives in the conversation; ids not indexed are absent. */
  segmentsOf(conversationId: string, ids: string[]): Promise<Map<string, IndexedMessage>>;
  /**
   * Moves the member's read mark (and delivery mark) forward to `messageId` (never back) and
   * counts their unread messages again. Null when not a member or the message is not indexed.
   */
  markRead(conversationId: string, userId: string, messageId: string): Promise<MemberMarks | null>;
  /** Moves the member's delivery mark forward to `messageId`. Null as for markRead. */
  markDelivered(conversationId: string, userId: string, messageId: string): Promise<MemberMarks | null>;
  /** Mutes or unmutes the conversation for a member; null when not a member. */
  setMuted(conversationId: string, userId: string, muted: boolean): Promise<MemberMarks | null>;
  /** The user's read state per conversation (an inbox filling up). */
  readsForUser(userId: string): Promise<Map<string, ReadState>>;
}

/** Per-user settings. */
export interface SettingsStore {
  readReceipts(userId: string): Promise<boolean>;
  setReadReceipts(userId: string, on: boolean): Promise<void>;
}

export type MemberRole = "owner" | "admin" | "member";

/**
 * Group conversations: created with a name, an owner (the creator) and members; the owner
 * names admins. Who may do what is the caller's to check (routes/groups.ts); each method is
 * one transaction, serialised per group with the relay's index writes by the conversation row.
 */
export interface GroupStore {
  create(ownerId: string, name: string, memberIds: string[]): Promise<ConversationSummary>;
  /** Null when there is no such group. */
  rename(id: string, name: string): Promise<ConversationSummary | null>;
  /** Adds those not yet members, as members; `added` lists them. Null when there is no such group. */
  addMembers(id: string, userIds: string[]): Promise<{ conversation: ConversationSummary; added: string[] } | null>;
  /**
   * Removes a member (false when not one). When the owner goes, the longest-standing admin,
   * else the longest-standing member, becomes the owner.
   */
  removeMember(id: string, userId: string): Promise<{ conversation: ConversationSummary; removed: boolean } | null>;
  /** Makes a member an admin or takes it back (never the owner's role). Null when not a member. */
  setRole(id: string, userId: string, role: "admin" | "member"): Promise<ConversationSummary | null>;
  /** The user's role in a group, or null when not a member (or no such group, or a direct conversation). */
  role(id: string, userId: string): Promise<MemberRole | null>;
}

/** Accounts as better-auth stores them, read for the directory, sign-in throttling and seeding. */
export interface UserStore {
  directory(query: DirectoryQuery): Promise<DirectoryRow[]>;
  /** Directory rows of these users (the live directory's announcements). */
  byIds(ids: string[]): Promise<DirectoryRow[]>;
  exists(id: string): Promise<boolean>;
  /** The id of the account with this (lower-cased) email or username. */
  idBy(column: "email" | "username", value: string): Promise<string | null>;
  count(): Promise<number>;
}

/** better-auth's session rows, for our absolute lifetime and revocation. */
export interface SessionStore {
  times(ids: string[]): Promise<SessionTimes[]>;
  all(): Promise<SessionTimes[]>;
  delete(ids: string[]): Promise<void>;
}

export interface PresenceStore {
  setLastSeen(userId: string, at: number): Promise<void>;
  lastSeen(userIds: string[]): Promise<Map<string, number>>;
}

/** Accepted message records of one segment, for the message index. */
export interface IndexEntry {
  conversationId: string;
  segment: number;
  records: MessageRecord[];
}

/** Accepted reaction records of one conversation (current values of the keys a commit changed), for the reaction index. */
export interface ReactionEntry {
  conversationId: string;
  records: ReactionRecord[];
}

/** What the relay's commit writes, all in one transaction. */
export interface CommitTx {
  /** Appends one update as `seq` of `doc` (the room's next number; a duplicate fails the transaction). */
  append(doc: string, seq: number, update: Uint8Array): Promise<void>;
  /** Records the owner of a client id; the first owner stays, and another user's claim fails the commit (CommitConflict). */
  claimClient(doc: string, clientId: number, userId: string): Promise<void>;
  /**
   * Upserts accepted message records of one segment into the index, updates the
   * conversation's activity, and rolls the head segment forward once it holds
   * SEGMENT_MESSAGES messages. Null when the conversation does not exist.
   */
  indexMessages(conversationId: string, segment: number, records: MessageRecord[]): Promise<IndexResult | null>;
  /**
   * indexMessages for many segments at once (a tick's commit): the same effect as calling it
   * for each entry in order, in as few statements as the store can. Returns each existing
   * conversation's result after its last entry.
   */
  indexMessagesBatch(entries: IndexEntry[]): Promise<Map<string, IndexResult>>;
  /**
   * Upserts reaction records into the reaction index (`message_reaction`), one row per
   * (conversation, message, user) holding that user's current emoji; a record with none is
   * kept as a row with an empty list (entries are never removed, as in the documents).
   */
  indexReactions(entries: ReactionEntry[]): Promise<void>;
  /** The conversation as this transaction sees it. */
  conversation(id: string): Promise<ConversationSummary | null>;
}

export type StoreKind = "sqlite" | "postgres";

export interface Store {
  readonly kind: StoreKind;
  /** What better-auth takes as `database`: the better-sqlite3 Database or the pg Pool. */
  readonly authDatabase: unknown;
  readonly docs: DocStore;
  readonly conversations: ConversationStore;
  readonly groups: GroupStore;
  readonly settings: SettingsStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly presence: PresenceStore;
  /** Runs `fn` in one write transaction; transactions run one at a time, in call order. */
  transaction<T>(fn: (tx: CommitTx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding the store's start-up lock (PostgreSQL: an advisory lock; SQLite:
   * the data directory's lock is already this process's), so migrations and seeding of several
   * processes starting at once happen exactly once.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Throws unless the store answers and every migration (ours and better-auth's) is applied. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
