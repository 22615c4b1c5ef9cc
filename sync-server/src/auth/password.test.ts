import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword } from "./password.js";

describe("password hashing", () => {
  it("stores the scrypt parameters, a salt and a key in PHC format", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{86}$/);
  });

  it("uses parameters at or above an OWASP scrypt row", () => {
    const { ln, r, p } = SCRYPT_PARAMS;
    // OWASP rows: N=2^17 r=8 p=1 … N=2^13 r=8 p=10, all ~1M r·N·p "units" or more at r=8.
    expect(r).toBeGreaterThanOrEqual(8);
    expect(2 ** ln * r * p).toBeGreaterThanOrEqual(2 ** 14 * 8 * 5);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword({ hash, password: "correct horse battery" })).toBe(true);
    expect(await verifyPassword({ hash, password: "correct horse batterY" })).toBe(false);
  });

  it("salts every hash, so the same password hashes differently", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("verifies hashes made with other parameters, so they can be raised later", async () => {
    const old = await hashPassword("an older password", { ln: 10, r: 8, p: 1 });
    expect(old.startsWith("$scrypt$ln=10,r=8,p=1$")).toBe(true);
    expect(await verifyPassword({ hash: old, password: "an older password" })).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword("a current password"))).toBe(false);
  });

  it("refuses malformed hashes and absurd parameters instead of throwing", async () => {
    for (const hash of [
      "",
      "plain",
      "$scrypt$ln=14,r=8,p=5$abc$def",
      `$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$${"A".repeat(86)}`,
    ]) {
      expect(await verifyPassword({ hash, password: "whatever-password" })).toBe(false);
    }
  });
});
