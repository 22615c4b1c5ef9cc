/**
 * What `Y.applyUpdate` will do with an update, worked out without doing it.
 *
 * A line-by-line port of yjs 13.6's `integrateStructs` (src/utils/encoding.js) on the
 * structs `Y.decodeUpdate` returns: the same per-client readers taken highest client
 * first, the same stack when a struct depends on another client's struct, the same
 * `offset` (how much of a struct the document already has), the same rule that a
 * Skip is never integrated. It yields the structs yjs integrates, in yjs' order and
 * with yjs' offset, or says that something would be left in yjs' pending queue.
 *
 * The validator judges exactly these steps, so it reads an update the way yjs applies
 * it by construction. Preconditions, checked by the framing pass: one section per
 * client (yjs keeps only the last section of a repeated client), and every struct has
 * a length (a zero-length Item would be integrated with offset 0).
 */
import * as Y from "yjs";

export type Struct = Y.Item | Y.GC | Y.Skip;

export interface Step {
  struct: Y.Item | Y.GC;
  /** How many of the struct's first clocks the document already has (yjs' offset). */
  offset: number;
}

export type Plan =
  | { ok: true; steps: Step[]; sections: Map<number, Struct[]> }
  | { ok: false; missing: true; reason: string }
  | { ok: false; missing: false; reason: string };

/** Yjs' `Item.getMissing` decision: the client whose struct this one waits for, or null. */
function missingClient(s: Y.Item | Y.GC, state: (client: number) => number): number | null {
  if (!(s instanceof Y.Item)) return null;
  const own = s.id.client;
  const origin = s.origin;
  if (origin && origin.client !== own && origin.clock >= state(origin.client)) return origin.client;
  const right = s.rightOrigin;
  if (right && right.client !== own && right.clock >= state(right.client)) return right.client;
  const parent = s.parent as unknown;
  if (parent instanceof Y.ID && parent.client !== own && parent.clock >= state(parent.client)) return parent.client;
  return null;
}

/**
 * Yjs then looks the references up in the store (`getItemCleanEnd` and friends) and
 * throws halfway through the transaction when one is not there: a reference to the
 * struct's own client at or beyond what is integrated so far.
 */
function danglingReference(s: Y.Item | Y.GC, state: (client: number) => number): boolean {
  if (!(s instanceof Y.Item)) return false;
  const refs = [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null];
  return refs.some((id) => id !== null && id.clock >= state(id.client));
}

export function planIntegration(structs: Struct[], store: Y.Doc["store"]): Plan {
  const sections = new Map<number, Struct[]>();
  for (const s of structs) {
    const list = sections.get(s.id.client);
    if (list) list.push(s);
    else sections.set(s.id.client, [s]);
  }
  const readers = new Map<number, { i: number; refs: Struct[] }>();
  for (const [client, refs] of sections) readers.set(client, { i: 0, refs });
  const ids = [...readers.keys()].sort((a, b) => a - b);
  const steps: Step[] = [];
  if (ids.length === 0) return { ok: true, steps, sections };

  const integrated = new Map<number, number>();
  const state = (client: number) => integrated.get(client) ?? Y.getState(store, client);
  const nextTarget = () => {
    while (ids.length > 0) {
      const target = readers.get(ids[ids.length - 1] as number) as { i: number; refs: Struct[] };
      if (target.i < target.refs.length) return target;
      ids.pop();
    }
    return null;
  };
  let current = nextTarget();
  if (current === null) return { ok: true, steps, sections };
  let head = current.refs[current.i++] as Struct;
  const stack: Struct[] = [];

  for (;;) {
    if (!(head instanceof Y.Skip)) {
      const offset = state(head.id.client) - head.id.clock;
      if (offset < 0) return { ok: false, missing: true, reason: "struct beyond the document state (missing history)" };
      const missing = missingClient(head, state);
      if (missing !== null) {
        stack.push(head);
        const reader = readers.get(missing);
        if (reader === undefined || reader.i === reader.refs.length) {
          return { ok: false, missing: true, reason: "depends on a struct the server does not have" };
        }
        head = reader.refs[reader.i++] as Struct;
        continue;
      }
      if (danglingReference(head, state))
        return { ok: false, missing: false, reason: "refers to a struct after itself" };
      if (offset === 0 || offset < head.length) {
        steps.push({ struct: head, offset });
        integrated.set(head.id.client, head.id.clock + head.length);
      }
    }
    const popped = stack.pop();
    if (popped !== undefined) head = popped;
    else if (current !== null && current.i < current.refs.length) head = current.refs[current.i++] as Struct;
    else {
      current = nextTarget();
      if (current === null) break;
      head = current.refs[current.i++] as Struct;
    }
  }
  return { ok: true, steps, sections };
}
