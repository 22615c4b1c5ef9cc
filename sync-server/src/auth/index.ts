export {
  AUTH_RATE_LIMITS,
  type AuthDeps,
  type AuthService,
  createAuth,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type SessionInfo,
} from "./auth.js";
export { createLoginThrottle, type LoginThrottle } from "./login-throttle.js";
export { hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword } from "./password.js";
export { requireSession, type SessionVariables } from "./require-session.js";
