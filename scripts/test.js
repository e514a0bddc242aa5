#!/usr/bin/env node
// `npm test`: makes sure the system packages the tests need are installed (idempotent), then runs
// every tests/**/*.test.ts with node:test through tsx. Node 20's --test takes no globs, so the
// files are collected here. Extra arguments are passed to node --test (e.g. a file filter).
"use strict";
const { spawnSync } = require("node:child_process");
const { readdirSync, statSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
if (!process.env.SNN_SKIP_SETUP) {
  const setup = spawnSync("bash", [path.join(root, "kernel-setup", "setup.sh")], { stdio: "inherit", cwd: root });
  if (setup.status !== 0) {
    console.error("npm test: kernel-setup/setup.sh failed; see the messages above.");
    process.exit(setup.status ?? 1);
  }
}

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let files = collect(path.join(root, "tests"));
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("npm test: no test files matched");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], {
  stdio: "inherit",
  cwd: root,
  env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
});
process.exit(r.status ?? 1);
