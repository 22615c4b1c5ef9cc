/** Injected time source, so tests can move the clock (active filter, session lifetime). */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
