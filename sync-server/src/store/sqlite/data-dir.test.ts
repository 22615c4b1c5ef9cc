import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { StartupError } from "../../startup-error.js";
import { lockDataDir, prepareDataDir } from "./data-dir.js";

function dataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messenger-datadir-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { dataDir: dir, databasePath: path.join(dir, "messenger.sqlite") };
}

describe("the data directory", () => {
  it("is held by one holder at a time, and free again once released", () => {
    const config = dataDir();
    const lock = lockDataDir(config);
    expect(() => lockDataDir(config)).toThrow(StartupError);
    expect(() => lockDataDir(config)).toThrow(/already using the database in DATA_DIR/);
    lock.release();
    lockDataDir(config).release();
  });

  it("names DATABASE_PATH when the database lives outside DATA_DIR", () => {
    const config = { ...dataDir(), dataDir: "/srv/elsewhere" };
    const lock = lockDataDir(config);
    onTestFinished(() => lock.release());
    expect(() => lockDataDir(config)).toThrow(/in DATABASE_PATH /);
  });

  it("is created when missing, and refused when a file is in the way", () => {
    const { dataDir: root } = dataDir();
    const nested = path.join(root, "a", "b");
    prepareDataDir({ dataDir: nested, databasePath: path.join(nested, "messenger.sqlite") });
    expect(fs.statSync(nested).isDirectory()).toBe(true);
    const file = path.join(root, "file");
    fs.writeFileSync(file, "");
    expect(() => prepareDataDir({ dataDir: file, databasePath: path.join(file, "messenger.sqlite") })).toThrow(
      /DATA_DIR .* is not a directory/,
    );
  });
});
