/**
 * Messages written without a socket (HTTP posts, seeds). They go into the head
 * segment's room with the shared `addMessage`, through the same commit path as a
 * socket write: indexed in the same transaction, then fanned out live.
 */
import {
  addMessage,
  conversationDocName,
  MAX_MESSAGE_TEXT_LENGTH,
  type Message,
  type MessageRecord,
  messageRecordProblem,
  messagesMap,
  newMessageId,
  SEGMENT_MESSAGES,
  SYSTEM_AUTHOR,
} from "@messenger/shared";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { ConversationStore } from "../store/types.js";
import type { Room } from "./room.js";
import type { MessageWriter } from "./types.js";

export interface MessageWriterDeps {
  repo: ConversationStore;
  clock: Clock;
  room(name: string): Promise<Room>;
  release(room: Room): void;
}

export interface BulkMessage {
  id: string;
  author: string;
  text: string;
  createdAt: number;
}

export interface BulkMessageWriter extends MessageWriter {
  /**
   * Appends many messages (seeds), oldest first, filling each head segment up to
   * SEGMENT_MESSAGES before the index rolls the head forward. Skips ids already stored.
   */
  writeMessages(conversationId: string, records: BulkMessage[]): Promise<{ written: number; skipped: number }>;
}

const toRecord = (m: Message): MessageRecord => ({
  id: m.id,
  author: m.authorId,
  text: m.text,
  createdAt: m.createdAt,
  ...(m.editedAt !== null ? { editedAt: m.editedAt } : {}),
  ...(m.deletedAt !== null ? { deletedAt: m.deletedAt } : {}),
  ...(m.replyTo !== null ? { replyTo: m.replyTo } : {}),
});

export function createMessageWriter(deps: MessageWriterDeps): BulkMessageWriter {
  const { repo } = deps;
  const headRoom = async (conversationId: string) => {
    const conversation = await repo.get(conversationId);
    if (!conversation) throw new AppError("NOT_FOUND");
    const room = await deps.room(conversationDocName(conversationId, conversation.headSegment));
    return { room, segment: conversation.headSegment };
  };

  return {
    async postMessage(conversationId, authorId, input) {
      if (!(await repo.isMember(conversationId, authorId)))
        throw new AppError((await repo.get(conversationId)) ? "FORBIDDEN" : "NOT_FOUND");
      const indexed = await repo.findMessage(conversationId, input.id);
      if (indexed) {
        if (indexed.authorId !== authorId) throw new AppError("CONFLICT");
        return { record: toRecord(indexed), segment: indexed.segment, created: false };
      }
      let { room, segment } = await headRoom(conversationId);
      // A head filled in this tick rolls forward when it commits: write into the next one.
      for (let tries = 0; messagesMap(room.doc).size >= SEGMENT_MESSAGES && tries < 3; tries++) {
        await room.committed();
        deps.release(room);
        ({ room, segment } = await headRoom(conversationId));
      }
      try {
        const inDoc = messagesMap(room.doc).get(input.id);
        if (inDoc) {
          // Written in this tick by another call: wait until it is durable too.
          if (inDoc.author !== authorId) throw new AppError("CONFLICT");
          await room.committed();
          return { record: inDoc, segment, created: false };
        }
        const record: MessageRecord = {
          id: input.id,
          author: authorId,
          text: input.text,
          createdAt: input.createdAt ?? deps.clock(),
          ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
        };
        const problem = messageRecordProblem(record);
        if (problem) throw new AppError("VALIDATION_FAILED", undefined, { problem });
        room.serverWrite([record.id], () => addMessage(room.doc, record));
        await room.committed();
        return { record, segment, created: true };
      } finally {
        deps.release(room);
      }
    },

    async postSystemLine(conversationId, event, text) {
      let { room } = await headRoom(conversationId);
      for (let tries = 0; messagesMap(room.doc).size >= SEGMENT_MESSAGES && tries < 3; tries++) {
        await room.committed();
        deps.release(room);
        ({ room } = await headRoom(conversationId));
      }
      try {
        const record: MessageRecord = {
          id: newMessageId(),
          author: SYSTEM_AUTHOR,
          text: text.slice(0, MAX_MESSAGE_TEXT_LENGTH),
          createdAt: deps.clock(),
          system: event,
        };
        const problem = messageRecordProblem(record);
        if (problem) throw new Error(`invalid system line: ${problem}`);
        room.serverWrite([record.id], () => messagesMap(room.doc).set(record.id, record));
        await room.committed();
        return record;
      } finally {
        deps.release(room);
      }
    },

    async writeMessages(conversationId, records) {
      let written = 0;
      let skipped = 0;
      let i = 0;
      while (i < records.length) {
        const { room } = await headRoom(conversationId);
        try {
          const map = messagesMap(room.doc);
          const capacity = Math.max(1, SEGMENT_MESSAGES - map.size);
          const candidates = records.slice(i, i + capacity);
          const stored = await repo.segmentsOf(
            conversationId,
            candidates.map((r) => r.id),
          );
          const chunk: BulkMessage[] = [];
          for (const r of candidates) {
            i++;
            if (map.has(r.id) || stored.has(r.id)) skipped++;
            else chunk.push(r);
          }
          if (chunk.length === 0) continue;
          for (const r of chunk) {
            const problem = messageRecordProblem(r);
            if (problem) throw new AppError("VALIDATION_FAILED", `invalid message ${r.id}: ${problem}`);
          }
          room.serverWrite(
            chunk.map((r) => r.id),
            () => {
              for (const r of chunk) addMessage(room.doc, r);
            },
          );
          await room.committed();
          written += chunk.length;
        } finally {
          deps.release(room);
        }
      }
      return { written, skipped };
    },
  };
}
