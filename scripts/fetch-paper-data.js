#!/usr/bin/env node
// `npm run fetch-paper-data [-- --dest DIR]`: downloads the paper's released metrics (Apache-2.0,
// public repository eliacunegatti/mge-snn, folder graph_data/) into SNN_PAPER_DATA or
// ../shared/paper-data, for users who do not have them beside the project. The commit is pinned so
// every user gets the same 2,337-row unrolled.csv the tests and notebooks were checked against.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const REPO = "eliacunegatti/mge-snn";
const COMMIT = "2ade4350c2660bd3fae386a61d4fb7ae47eeb18d";
const BASE = `https://raw.githubusercontent.com/${REPO}/${COMMIT}`;

const MODELS = ["CONV-6", "Resnet-20", "Resnet-32", "Wide-Resnet-28-2"];
const DATASETS = ["CIFAR-10", "CIFAR-100", "tinyimagenet"];

/** Local path (under the destination) → path in the repository. */
function manifest() {
  const files = { LICENSE: "LICENSE", "graph_metrics/unrolled/unrolled.csv": "graph_data/graph_metrics/unrolled/unrolled.csv" };
  for (const m of MODELS) {
    for (const d of DATASETS) {
      files[`graph_metrics/rolled/rolled-${d}-${m}.csv`] = `graph_data/graph_metrics/rolled/rolled-${d}-${m}.csv`;
      files[`graph_metrics/rolled_channel/rolled_channel-${d}-${m}.csv`] = `graph_data/graph_metrics/rolled_channel/rolled_channel-${d}-${m}.csv`;
      files[`ramanunjan_results/${m}/rolled-${d}-${m}.csv`] = `graph_data/ramanunjan_results/${m}/rolled-${d}-${m}.csv`;
    }
  }
  return files;
}

function destination(argv) {
  const i = argv.indexOf("--dest");
  if (i >= 0) {
    if (!argv[i + 1]) throw new Error("fetch-paper-data: --dest needs a folder");
    return path.resolve(argv[i + 1]);
  }
  if (process.env.SNN_PAPER_DATA) return path.resolve(process.env.SNN_PAPER_DATA);
  return path.resolve(__dirname, "..", "..", "shared", "paper-data");
}

async function main() {
  const dest = destination(process.argv.slice(2));
  const files = manifest();
  const names = Object.keys(files);
  let fetched = 0;
  for (const [i, local] of names.entries()) {
    const target = path.join(dest, local);
    if (fs.existsSync(target) && fs.statSync(target).size > 0) continue;
    const url = `${BASE}/${files[local]}`;
    process.stderr.write(`[${i + 1}/${names.length}] ${local}\n`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`fetch-paper-data: ${url} answered HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (local.endsWith(".csv") && !/^[^\n]*,[^\n]*\n/.test(body.subarray(0, 4096).toString("utf8"))) {
      throw new Error(`fetch-paper-data: ${url} did not return a CSV file`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(`${target}.part`, body);
    fs.renameSync(`${target}.part`, target);
    fetched++;
  }
  process.stderr.write(`fetch-paper-data: ${fetched} file(s) downloaded, ${names.length - fetched} already present, in ${dest}\n`);
}

module.exports = { manifest };
if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
