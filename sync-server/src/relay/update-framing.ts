/**
 * Checks that a frame holds exactly one well-formed Yjs V1 update: every struct,
 * every content and the delete set read cleanly and nothing is left over.
 *
 * Why not only `Y.decodeUpdate`: lib0's readers do not throw when they run past the
 * end (readUint8 returns undefined, subarray clamps) and yjs ignores trailing bytes,
 * so a truncated frame or a V2 update can "decode" as V1. This reader walks the same
 * layout with yjs' own UpdateDecoderV1 and demands pos === length. The validator
 * still takes the meaning of the update from `Y.decodeUpdate`, so there is no second
 * interpretation of what gets applied. A client id may head only one section: yjs
 * applies only the last of repeated sections, so they would read two ways.
 */
import * as decoding from "lib0/decoding";
import * as Y from "yjs";

const BITS5 = 31;
const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const SKIP_INFO = 10;
/** Yjs content refs (yjs src/structs/Item.js contentRefs). */
const CONTENT = { DELETED: 1, JSON: 2, BINARY: 3, STRING: 4, EMBED: 5, FORMAT: 6, TYPE: 7, ANY: 8, DOC: 9 } as const;
/** Yjs type refs that carry a node name (YXmlElement, YXmlHook). */
const NAMED_TYPE_REFS = new Set([3, 5]);
const MAX_TYPE_REF = 6;

/** The problem for an update whose client sections repeat: a forgery, not noise. */
export const REPEATED_SECTION = "repeated client section";

/** Returns null when `update` is exactly one V1 update, else why not. Never throws. */
export function updateFramingProblem(update: Uint8Array): string | null {
  try {
    const rest = decoding.createDecoder(update);
    const d = new Y.UpdateDecoderV1(rest);
    const end = update.length;
    const guard = () => {
      if (rest.pos > end) throw new Error("truncated");
    };
    const clients = decoding.readVarUint(rest);
    const seen = new Set<number>();
    for (let c = 0; c < clients; c++) {
      guard();
      const structs = decoding.readVarUint(rest);
      const client = d.readClient();
      // yjs' readClientsStructRefs keeps only the last section of a repeated client,
      // while decodeUpdate lists them all: two readings of one update. Refuse it.
      if (seen.has(client)) throw new Error(REPEATED_SECTION);
      seen.add(client);
      decoding.readVarUint(rest); // first clock
      for (let i = 0; i < structs; i++) {
        guard();
        const info = d.readInfo();
        if (info === undefined) throw new Error("truncated");
        if (info === SKIP_INFO) {
          decoding.readVarUint(rest);
        } else if ((info & BITS5) === 0) {
          d.readLen(); // GC
        } else {
          if (info & BIT8) d.readLeftID();
          if (info & BIT7) d.readRightID();
          if ((info & (BIT7 | BIT8)) === 0) {
            if (d.readParentInfo()) d.readString();
            else d.readLeftID();
            if (info & BIT6) d.readString();
          }
          skipContent(d, info & BITS5, guard);
        }
      }
    }
    const dsClients = decoding.readVarUint(rest);
    for (let c = 0; c < dsClients; c++) {
      guard();
      decoding.readVarUint(rest);
      const ranges = decoding.readVarUint(rest);
      for (let i = 0; i < ranges; i++) {
        guard();
        d.readDsClock();
        d.readDsLen();
      }
    }
    if (rest.pos !== end) return rest.pos > end ? "truncated update" : "trailing bytes after the update";
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message === REPEATED_SECTION ? message : `undecodable update: ${message}`;
  }
}

function skipContent(d: Y.UpdateDecoderV1, ref: number, guard: () => void): void {
  switch (ref) {
    case CONTENT.DELETED:
      d.readLen();
      return;
    case CONTENT.JSON:
    case CONTENT.ANY: {
      const len = d.readLen();
      for (let i = 0; i < len; i++) {
        guard();
        if (ref === CONTENT.JSON) d.readString();
        else d.readAny();
      }
      return;
    }
    case CONTENT.BINARY:
      d.readBuf();
      return;
    case CONTENT.STRING:
    case CONTENT.EMBED:
      d.readString();
      return;
    case CONTENT.FORMAT:
      d.readKey();
      d.readString();
      return;
    case CONTENT.TYPE: {
      const typeRef = d.readTypeRef();
      if (typeRef > MAX_TYPE_REF) throw new Error("unknown type ref");
      if (NAMED_TYPE_REFS.has(typeRef)) d.readKey();
      return;
    }
    case CONTENT.DOC:
      d.readString();
      d.readAny();
      return;
    default:
      throw new Error(`unknown content ref ${ref}`);
  }
}
