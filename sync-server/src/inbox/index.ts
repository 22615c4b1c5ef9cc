export { createInbox, type Inbox, type InboxDeps } from "./inbox.js";
