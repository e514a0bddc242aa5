#!/usr/bin/env node
// `npm run fetch-paper-data [-- --dest DIR] [--verify] [--if-missing] [--base-url URL]`: downloads the
// paper's released metrics (Apache-2.0, public repository eliacunegatti/mge-snn at the commit pinned in
// data/paper-data.manifest.json) into the project cache data/paper-data/ (or SNN_PAPER_DATA, or --dest),
// verifying every file against the SHA-256 sums committed in that manifest; see src/io/paper-data.ts.
//
//   --if-missing  the set-up step (npm install / npm start / npm test): nothing when the data are found,
//                 else download; offline or on any failure print one message and exit 0
//   --verify      check the copy in use against the committed sums (exit 1 on any difference)
//   --dest DIR    download into DIR (must not exist yet) instead of the first place searched
//   --base-url U  fetch from U/<path in the repository> instead of raw.githubusercontent.com (a mirror)
"use strict";
const path = require("node:path");

// The library is TypeScript; tsx (a dependency) loads it without a build, so this works before `npm run build`.
require("tsx/cjs/api").register();
const pd = require(path.join(__dirname, "..", "src", "io", "paper-data.ts"));
const { terminalProgress } = require(path.join(__dirname, "..", "src", "util", "progress.ts"));

function parse(argv) {
  const o = { dest: undefined, verify: false, ifMissing: false, baseUrl: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (!argv[i + 1] || argv[i + 1].startsWith("--")) throw new Error(`fetch-paper-data: ${a} needs a value`);
      return argv[++i];
    };
    if (a === "--dest") o.dest = path.resolve(value());
    else if (a === "--base-url") o.baseUrl = value();
    else if (a === "--verify") o.verify = true;
    else if (a === "--if-missing") o.ifMissing = true;
    else if (a === "-h" || a === "--help") o.help = true;
    else throw new Error(`fetch-paper-data: unknown argument '${a}' (use --dest DIR, --verify, --if-missing, --base-url URL)`);
  }
  return o;
}

async function main() {
  const o = parse(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(require("node:fs").readFileSync(__filename, "utf8").split("\n").slice(1, 11).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
    return 0;
  }
  const say = (s) => process.stderr.write(`${s}\n`);
  const manifest = pd.readPaperDataManifest();
  const progress = terminalProgress("paper data (MB)", process.stderr);
  const mbProgress = { update: (d, t, l) => progress.update(Math.round(d / 1e5) / 10, Math.round(t / 1e5) / 10, l), finish: (m) => progress.finish(m) };
  if (o.verify) {
    const status = pd.paperDataStatus(manifest);
    const problems = pd.verifyPaperData(status.dir, manifest);
    if (problems.length > 0) {
      say(`fetch-paper-data: ${status.dir} (${status.source}) differs from the committed sums:\n  ${problems.slice(0, 10).join("\n  ")}${problems.length > 10 ? `\n  … ${problems.length - 10} more` : ""}`);
      return 1;
    }
    say(`fetch-paper-data: ${status.dir} (${status.source}): all ${Object.keys(manifest.files).length} files match the committed SHA-256 sums`);
    return 0;
  }
  if (o.dest) {
    await pd.downloadPaperData({ dest: o.dest, manifest, baseUrl: o.baseUrl, progress: mbProgress });
    say(`fetch-paper-data: downloaded and verified into ${o.dest}; use it with SNN_PAPER_DATA=${o.dest}`);
    return 0;
  }
  const before = pd.paperDataStatus(manifest);
  if (before.available) {
    if (!o.ifMissing) say(`fetch-paper-data: already present in ${before.dir} (${before.source}); --verify checks it`);
    return 0;
  }
  say(`fetch-paper-data: the paper's released metrics are not found; downloading them once (${manifest.repository}@${manifest.commit.slice(0, 7)}) into ${before.searched[0].dir}`);
  const r = await pd.ensurePaperData({ manifest, baseUrl: o.baseUrl, progress: mbProgress });
  if (r.state === "unavailable") {
    say(r.message);
    return o.ifMissing ? 0 : 1;
  }
  say(`fetch-paper-data: downloaded and verified into ${r.status.dir}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
