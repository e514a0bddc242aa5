#!/usr/bin/env node
// `npm test`: makes sure the system packages the tests need are installed (idempotent) and that the
// paper's released data are present (downloaded and verified once; offline, one message and the tests
// that need them are skipped), then runs every tests/**/*.test.ts with node:test through tsx. Node 20's
// --test takes no globs, so the files are collected here. Arguments are substrings of the test files
// to run. The run ends with one line counting the skipped tests by reason (scripts/skip-reporter.mjs).
// SNN_SKIP_SETUP=1 skips both set-up steps. A full run (no arguments) first typechecks src, tests,
// bench and scripts (`npm run typecheck`, ~8 s): tsx strips types without checking them, so a type
// error in a test or a bench would otherwise pass unnoticed. It runs the project's TypeScript by path
// (as the package.json scripts do): node_modules/.bin/tsc is tslab's bundled TypeScript 5.0.4, which
// both packages name `tsc`, and 5.0 misses errors 5.9 reports (typed-array generics).
"use strict";
const { spawnSync } = require("node:child_process");
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
if (!process.env.SNN_SKIP_SETUP) {
  const setup = spawnSync("bash", [path.join(root, "kernel-setup", "setup.sh")], { stdio: "inherit", cwd: root });
  if (setup.status !== 0) {
    console.error("npm test: kernel-setup/setup.sh failed; see the messages above.");
    process.exit(setup.status ?? 1);
  }
  // Never fails: offline it prints what is missing, what depends on it and the command to get it later.
  spawnSync(process.execPath, [path.join(root, "scripts", "fetch-paper-data.js"), "--if-missing"], { stdio: "inherit", cwd: root });
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
if (filter.length === 0) {
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json"), "--noEmit"], { stdio: "inherit", cwd: root });
  if (tsc.status !== 0) {
    console.error("npm test: the typecheck failed (errors above); fix them or run `npm run typecheck` to see them again.");
    process.exit(tsc.status ?? 1);
  }
  console.log("npm test: typecheck passed (src, tests, bench, scripts)");
}
// The tests run with a private temp folder, removed afterwards; anything a test left there is named,
// so a test that does not clean up is noticed without littering the user's temp folder.
const runDir = mkdtempSync(path.join(os.tmpdir(), "snn-test-run-"));
const testTmp = path.join(runDir, "tmp");
mkdirSync(testTmp);
// tsx keeps its compile cache in <tmp>/tsx-<uid>: share the real one (a link), so the private folder costs no recompiling.
const tsxCache = `tsx-${typeof process.geteuid === "function" ? process.geteuid() : os.userInfo().username}`;
try {
  mkdirSync(path.join(os.tmpdir(), tsxCache), { recursive: true });
  symlinkSync(path.join(os.tmpdir(), tsxCache), path.join(testTmp, tsxCache));
} catch {
  // no cache sharing: tsx then compiles into the private folder
}
const skipFile = path.join(runDir, "skips.jsonl");
const reporter = process.stdout.isTTY ? "spec" : "tap";
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2",
    `--test-reporter=${reporter}`, "--test-reporter-destination=stdout",
    `--test-reporter=${path.join(__dirname, "skip-reporter.mjs")}`, `--test-reporter-destination=${skipFile}`, ...files],
  { stdio: "inherit", cwd: root, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", TMPDIR: testTmp, TMP: testTmp, TEMP: testTmp } },
);
let skips = [];
try {
  skips = readFileSync(skipFile, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
} catch {
  // no skip file: the runner died before reporting; its status says so
}
const left = readdirSync(testTmp).filter((n) => n !== tsxCache);
rmSync(runDir, { recursive: true, force: true });
if (left.length > 0) console.log(`npm test: the tests left ${left.length} item(s) in the temp folder (removed now; a test does not clean up): ${left.slice(0, 10).join(", ")}`);
console.log(skipSummary(skips));
process.exit(r.status ?? 1);

/** One line: how many tests were skipped and why, grouped by reason. */
function skipSummary(list) {
  if (list.length === 0) return "npm test: 0 tests skipped";
  const groups = new Map();
  for (const s of list) groups.set(s.reason || "no reason given", (groups.get(s.reason || "no reason given") ?? 0) + 1);
  const parts = [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} × ${reason}`);
  return `npm test: ${list.length} test${list.length === 1 ? "" : "s"} skipped: ${parts.join("; ")}`;
}
