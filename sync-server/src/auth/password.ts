/**
 * Password hashing for better-auth (`emailAndPassword.password.{hash,verify}`).
 *
 * scrypt from node:crypto, at an OWASP Password Storage Cheat Sheet row: N=2^14, r=8, p=5
 * (16 MiB per hash). OWASP lists it as equivalent to N=2^17, r=8, p=1, which needs 128 MiB
 * per hash; with four libuv threads hashing at once that is half a gigabyte on a small box.
 * better-auth's own default (N=16384, r=16, p=1) is below every OWASP row.
 *
 * Hashes are stored in PHC string format with the parameters inside,
 * `$scrypt$ln=14,r=8,p=5$<salt>$<key>` (base64, no padding), so the parameters can be
 * raised later: old hashes still verify with their own parameters, and `needsRehash`
 * tells which ones are below the current ones.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

export const SCRYPT_PARAMS: ScryptParams = { ln: 14, r: 8, p: 5 };
const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Refuse stored parameters beyond this (a corrupted or hostile row must not eat the memory). */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  // Node refuses when 128*N*r exceeds maxmem (default 32 MiB); leave headroom over the need.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (buf: Buffer) => buf.toString("base64").replace(/=+$/, "");

export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;

function parseHash(hash: string): ParsedHash | null {
  const m = PHC.exec(hash);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P)
    return null;
  return { params, salt: Buffer.from(m[4] as string, "base64"), key: Buffer.from(m[5] as string, "base64") };
}

/** Constant-time check of `password` against a stored hash; false for a malformed hash. */
export async function verifyPassword({ hash, password }: { hash: string; password: string }): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** True when a stored hash uses weaker parameters than `params` (or cannot be read). */
export function needsRehash(hash: string, params: ScryptParams = SCRYPT_PARAMS): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return true;
  const cost = (x: ScryptParams) => 2 ** x.ln * x.r * x.p;
  return cost(parsed.params) < cost(params) || 2 ** parsed.params.ln * parsed.params.r < 2 ** params.ln * params.r;
}
