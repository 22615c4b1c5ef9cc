/**
 * Messages between the processes of one deployment, by topic. The seam has two
 * implementations: `createSingleProcessBus` (one process: there is nobody to tell, so
 * publishing does nothing) and `createRedisBus` (Redis pub/sub, REDIS_URL).
 *
 * A message reaches every OTHER process subscribed to its topic when it is published, in
 * the order one process published them, at most once: Redis pub/sub keeps nothing, so a
 * process that was disconnected misses what was sent meanwhile. Whatever rides the bus
 * must therefore be recoverable from the store (documents carry sequence numbers and gaps
 * are filled from PostgreSQL) or harmless to lose (typing); `onResync` tells when to look.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger.js";
import type { RedisLink } from "./redis.js";

export interface ClusterBus {
  readonly kind: "single" | "redis";
  /** Random per process: a message is never delivered back to the process that sent it. */
  readonly processId: string;
  publish(topic: string, payload: Uint8Array): void;
  /**
   * Calls `handler` with every message another process publishes on `topic` from the time
   * `ready` resolves (the subscription is in place) until `close`.
   */
  subscribe(topic: string, handler: (payload: Uint8Array) => void): Subscription;
  /** Runs `fn` after the bus reconnected: messages may have been lost meanwhile. */
  onResync(fn: () => void): () => void;
  /** Throws unless the bus can deliver (/api/ready). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface Subscription {
  readonly ready: Promise<void>;
  close(): void;
}

/** JSON on the bus, for the small control messages (sessions ended, presence). */
export const encodeJson = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
export const decodeJson = (payload: Uint8Array): unknown => JSON.parse(Buffer.from(payload).toString("utf8"));

export function createSingleProcessBus(): ClusterBus {
  return {
    kind: "single",
    processId: randomBytes(8).toString("hex"),
    publish() {},
    subscribe: () => ({ ready: Promise.resolve(), close() {} }),
    onResync: () => () => {},
    ready: async () => {},
    close: async () => {},
  };
}

/** Bytes of the sender's id at the start of every message. */
const SENDER_BYTES = 8;

export function createRedisBus(link: RedisLink, logger: Logger): ClusterBus {
  const sender = randomBytes(SENDER_BYTES);
  const handlers = new Map<string, Set<(payload: Uint8Array) => void>>();
  /** Each subscribed channel's SUBSCRIBE, answered or not. */
  const subscribed = new Map<string, Promise<void>>();
  const channel = (topic: string) => link.key(`bus:${topic}`);
  const topicOf = (ch: string) => ch.slice(link.prefix.length + 4);

  link.subscriber.on("messageBuffer", (ch: Buffer, message: Buffer) => {
    if (message.length < SENDER_BYTES || sender.equals(message.subarray(0, SENDER_BYTES))) return;
    const set = handlers.get(topicOf(ch.toString("utf8")));
    if (!set) return;
    const payload = new Uint8Array(message.buffer, message.byteOffset + SENDER_BYTES, message.length - SENDER_BYTES);
    for (const handler of set) {
      try {
        handler(payload);
      } catch (err) {
        logger.error("bus handler failed", { topic: topicOf(ch.toString("utf8")), err: String(err) });
      }
    }
  });

  return {
    kind: "redis",
    processId: sender.toString("hex"),
    publish(topic, payload) {
      const message = Buffer.allocUnsafe(SENDER_BYTES + payload.length);
      sender.copy(message, 0);
      message.set(payload, SENDER_BYTES);
      link.client.publish(channel(topic), message).catch((err: Error) => {
        logger.warn("bus publish failed", { topic, err: err.message });
      });
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
        subscribed.set(
          topic,
          link.subscriber.subscribe(channel(topic)).then(
            () => {},
            (err: Error) => logger.warn("bus subscribe failed", { topic, err: err.message }),
          ),
        );
      }
      set.add(handler);
      return {
        ready: subscribed.get(topic) ?? Promise.resolve(),
        close() {
          const current = handlers.get(topic);
          if (!current?.delete(handler) || current.size > 0) return;
          handlers.delete(topic);
          subscribed.delete(topic);
          link.subscriber.unsubscribe(channel(topic)).catch(() => {});
        },
      };
    },
    onResync: (fn) => link.onReconnect(fn),
    ready: () => link.ready(),
    async close() {
      handlers.clear();
      subscribed.clear();
    },
  };
}

/**
 * Something that happens on every process (a session's sockets to close, a user's inbox to
 * write): `emit` applies it here and publishes it, as JSON, to the others, which apply it as
 * it arrives. With the single-process bus it is just `apply`.
 */
export function clusterEvent<T>(
  bus: ClusterBus,
  topic: string,
  apply: (value: T) => void,
): { emit(value: T): void; close(): void } {
  const subscription = bus.subscribe(topic, (payload) => apply(decodeJson(payload) as T));
  return {
    emit(value) {
      apply(value);
      if (bus.kind !== "single") bus.publish(topic, encodeJson(value));
    },
    close: () => subscription.close(),
  };
}
