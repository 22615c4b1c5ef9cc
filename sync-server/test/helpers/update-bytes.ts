/**
 * Yjs V1 updates taken apart into client sections and put back together byte for byte,
 * so attacker tests and the validator's fuzz test can write updates no Y.Doc would:
 * repeated client sections, moved clocks, foreign origins, stray delete ranges.
 */
import * as encoding from "lib0/encoding";
import * as Y from "yjs";

export type Struct = Y.Item | Y.GC | Y.Skip;
export interface Section {
  client: number;
  clock: number;
  structs: Struct[];
}
export interface UpdateParts {
  sections: Section[];
  ds: Array<{ client: number; ranges: Array<[clock: number, len: number]> }>;
}

type DeleteSet = { clients: Map<number, Array<{ clock: number; len: number }>> };

/** Splits an update into its sections in written order (decodeUpdate keeps that order). */
export function parseUpdate(update: Uint8Array): UpdateParts {
  const { structs, ds } = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet };
  const sections: Section[] = [];
  for (const s of structs) {
    const last = sections[sections.length - 1];
    if (last && last.client === s.id.client) last.structs.push(s);
    else sections.push({ client: s.id.client, clock: s.id.clock, structs: [s] });
  }
  return {
    sections,
    ds: [...ds.clients].map(([client, ranges]) => ({ client, ranges: ranges.map((r) => [r.clock, r.len]) })),
  };
}

/** Writes sections and a delete set as one V1 update, laid out exactly as yjs writes one. */
export function writeUpdate(parts: UpdateParts): Uint8Array {
  const e = new Y.UpdateEncoderV1();
  encoding.writeVarUint(e.restEncoder, parts.sections.length);
  for (const sec of parts.sections) {
    encoding.writeVarUint(e.restEncoder, sec.structs.length);
    e.writeClient(sec.client);
    encoding.writeVarUint(e.restEncoder, sec.clock);
    for (const s of sec.structs) s.write(e, 0);
  }
  encoding.writeVarUint(e.restEncoder, parts.ds.length);
  for (const { client, ranges } of parts.ds) {
    encoding.writeVarUint(e.restEncoder, client);
    encoding.writeVarUint(e.restEncoder, ranges.length);
    for (const [clock, len] of ranges) {
      e.writeDsClock(clock);
      e.writeDsLen(len);
    }
  }
  return e.toUint8Array();
}

/** One map entry of root `messages`, as a struct at `client:clock` (explicit parent and key). */
export function mapEntry(client: number, clock: number, key: string, value: unknown, root = "messages"): Y.Item {
  return new Y.Item(
    Y.createID(client, clock),
    null,
    null,
    null,
    null,
    root as unknown as Y.AbstractType<unknown>,
    key,
    new Y.ContentAny([value]),
  );
}
