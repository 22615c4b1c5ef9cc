export * from "./active.js";
export * from "./api.js";
export * from "./errors.js";
export * from "./names.js";
export * from "./reactions.js";
export * from "./schema.js";
export * from "./search.js";
export * from "./wire.js";
