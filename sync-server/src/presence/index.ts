export { createPresence, type Presence, type PresenceListener } from "./presence.js";
