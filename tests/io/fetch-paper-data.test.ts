import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { paperDataDir } from "../../src/io/paths";

// The download manifest must name exactly the files of the released data set, so that a user who
// fetches it gets the same layout the loaders and notebooks read.
const { manifest } = require("../../scripts/fetch-paper-data.js") as { manifest: () => Record<string, string> };

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel));
    else out.push(rel);
  }
  return out;
}

test("fetch-paper-data manifest matches the released data layout", { skip: !existsSync(paperDataDir()) }, () => {
  const local = listFiles(paperDataDir()).sort();
  const names = Object.keys(manifest()).sort();
  assert.deepEqual(names, local);
  for (const [dest, src] of Object.entries(manifest())) {
    if (dest === "LICENSE") continue;
    assert.equal(src, `graph_data/${dest}`);
  }
});
