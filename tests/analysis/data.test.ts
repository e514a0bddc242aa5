import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  loadNetworkCsv,
  loadPaperData,
  loadRamanujanLayers,
  loadBgeLayers,
  aggregateLayers,
  RAMANUJAN_LAYER_METRICS,
  MGE_METRICS,
  prunerCategory,
  tableKeys,
} from "../../src/analysis/data";
import { featureColumns } from "../../src/analysis/features";
import { releasedMetricsFile } from "../../src/io/paper-data";
import { readReleasedMetrics } from "../../src/metrics/reference";
import { METRICS, METRIC_NAMES } from "../../src/metrics/catalogue";
import { paperDataSkip } from "../paper-data";
import { tempDir } from "../temp";

const MGE_HEADER = ["accuracy", "pruning", "sparsity", "model", "dataset", "seed", "nodes", "edges", ...MGE_METRICS];

function mgeRow(acc: number, pr: string, sp: number, model: string, seed: number, v: number): string {
  return [acc, pr, sp, model, "CIFAR-10", seed, 100, 1000, ...MGE_METRICS.map((_, j) => v + j)].join(",");
}

/** A miniature paper-data folder: 2 models, duplicates, rolled + Ramanujan files for one model. */
function fixture(): string {
  const dir = tempDir("paper-");
  fs.mkdirSync(path.dirname(releasedMetricsFile(dir)), { recursive: true });
  const rows = [
    mgeRow(0.9, "snip", 0.9, "M1", 0, 1),
    mgeRow(0.8, "uniform", 0.9, "M1", 0, 2),
    mgeRow(0.8, "uniform", 0.9, "M1", 0, 2), // identical duplicate
    mgeRow(0.5, "rigl", 0.98, "M2", 1, 3),
    mgeRow(0.7, "erk", 0.98, "M2", 1, 4),
  ];
  fs.writeFileSync(releasedMetricsFile(dir), [MGE_HEADER.join(","), ...rows].join("\n") + "\n");
  // per-layer: M1 snip (2 layers) and M1 uniform (2 layers)
  const layerHead = "accuracy,pruning_algorithm,sparsity,model,dataset,seed,layer_id,layer_name,layer_sparsity,bridges,motifs_count";
  const layers = [
    "0.9,snip,0.9,M1,CIFAR-10,0,0,conv1,0.5,4,10",
    "0.9,snip,0.9,M1,CIFAR-10,0,1,fc,0.1,2,20",
    "0.8,uniform,0.9,M1,CIFAR-10,0,0,conv1,0.1,1,5",
    "0.8,uniform,0.9,M1,CIFAR-10,0,1,fc,0.1,3,7",
  ];
  fs.mkdirSync(path.join(dir, "graph_metrics", "rolled"), { recursive: true });
  fs.writeFileSync(path.join(dir, "graph_metrics", "rolled", "rolled-CIFAR-10-M1.csv"), [layerHead, ...layers].join("\n") + "\n");
  const ramHead = "accuracy,sparsity,seed,model,dataset,layer_id,layer_name,iterative_spectral_gap,iterative_degree_bound,degree_bound,layer_sparsity,no_weights,no_params";
  const ram = [
    "0.9,0.9,0,M1,CIFAR-10,0,conv1,,,0.2,0.5,50,100",
    "0.9,0.9,0,M1,CIFAR-10,1,fc,1.5,0.3,-inf,0.1,10,100",
    "0.8,0.9,0,M1,CIFAR-10,0,conv1,2.0,0.1,0.4,0.1,10,100",
    "0.8,0.9,0,M1,CIFAR-10,1,fc,4.0,0.5,0.6,0.1,10,100",
  ];
  fs.mkdirSync(path.join(dir, "ramanunjan_results", "M1"), { recursive: true });
  fs.writeFileSync(path.join(dir, "ramanunjan_results", "M1", "rolled-CIFAR-10-M1.csv"), [ramHead, ...ram].join("\n") + "\n");
  return dir;
}

test("duplicates removed, categories, best-run drop", () => {
  const dir = fixture();
  const { table, info } = loadNetworkCsv(releasedMetricsFile(dir));
  assert.equal(info.rowsRead, 5);
  assert.equal(info.duplicatesRemoved, 1);
  assert.equal(table.n, 4);
  assert.deepEqual(table.category, ["PaI", "random", "DST", "random"]);
  assert.equal(info.dropSource, "best run of same model and dataset");
  // M1 best 0.9; M2 best 0.7
  const d = Array.from(table.accuracyDrop);
  [0, 0.1, 0.2, 0].forEach((v, i) => assert.ok(Math.abs(d[i] - v) < 1e-12, `drop ${i}: ${d[i]}`));
  assert.deepEqual(Array.from(table.num["r-out"]), [4, 5, 6, 7]);
});

test("the metrics and analysis stages read unrolled.csv through one reader: same rows, same values, same error", () => {
  const dir = fixture();
  const file = releasedMetricsFile(dir);
  assert.equal(file, path.join(dir, "graph_metrics", "unrolled", "unrolled.csv"));
  const rows = readReleasedMetrics(file);
  const { table } = loadNetworkCsv(file, { keepDuplicates: true });
  assert.equal(rows.length, table.n);
  rows.forEach((r, i) => {
    assert.deepEqual([r.model, r.pruning, r.sparsity, r.seed, r.accuracy], [table.model[i], table.pruning[i], table.sparsity[i], table.seed[i], table.accuracy[i]]);
    for (const m of METRIC_NAMES) assert.equal(r.metrics[m], table.num[METRICS[m].csvColumn][i], `${m}, row ${i}`);
  });
  const missing = path.join(dir, "nowhere.csv");
  const message = /io\/paper-data: .*nowhere\.csv not found \(set SNN_PAPER_DATA or run `npm run fetch-paper-data`/;
  assert.throws(() => readReleasedMetrics(missing), message);
  assert.throws(() => loadNetworkCsv(missing), message);
});

test("differing duplicates are refused", () => {
  const dir = fixture();
  const f = releasedMetricsFile(dir);
  fs.appendFileSync(f, mgeRow(0.85, "snip", 0.9, "M1", 0, 1) + "\n");
  assert.throws(() => loadNetworkCsv(f), /lines 2 and 7 are the same setting \(M1\|CIFAR-10\|snip\|0\.9\|0\) with different values/);
});

test("dense table (per seed, else mean over seeds) and own-results columns", () => {
  const dir = fixture();
  const f = releasedMetricsFile(dir);
  const dense = path.join(dir, "dense.csv");
  fs.writeFileSync(dense, "model,dataset,accuracy,seed\nM1,CIFAR-10,0.95,0\nM2,CIFAR-10,0.75,0\nM2,CIFAR-10,0.85,2\n");
  const { table } = loadNetworkCsv(f, { dense });
  assert.equal(table.dropSource, "dense table");
  // M1 seed 0 → 0.95; M2 seed 1 not in the table → mean 0.8
  const d = Array.from(table.accuracyDrop);
  [0.05, 0.15, 0.3, 0.1].forEach((v, i) => assert.ok(Math.abs(d[i] - v) < 1e-12, `drop ${i}: ${d[i]}`));
  fs.writeFileSync(dense, "model,dataset,accuracy\nM1,CIFAR-10,0.95\n");
  assert.throws(() => loadNetworkCsv(f, { dense }), /no accuracy for model 'M2'/);
  // own grid results: dense_accuracy / accuracy_drop columns win
  const own = path.join(dir, "own.csv");
  fs.writeFileSync(own, "model,dataset,pruning,sparsity,seed,accuracy,dense_accuracy,realised_sparsity,sink_nodes\nM,D,snip,0.9,0,0.8,0.9,0.901,0.1\n");
  const o = loadNetworkCsv(own).table;
  assert.equal(o.dropSource, "dense_accuracy column");
  assert.ok(Math.abs(o.accuracyDrop[0] - 0.1) < 1e-12);
  assert.equal(o.num.realised_sparsity[0], 0.901);
  assert.deepEqual(featureColumns(o, "density"), ["density"]);
  fs.writeFileSync(own, "model,dataset,pruning,sparsity,seed,accuracy,accuracy_drop\nM,D,snip,0.9,0,0.8,0.25\n");
  assert.equal(loadNetworkCsv(own).table.accuracyDrop[0], 0.25);
  fs.writeFileSync(own, "model,dataset,pruning,sparsity,seed,accuracy\nM,D,magic,0.9,0,0.8\n");
  assert.throws(() => loadNetworkCsv(own), /unknown pruner 'magic'/);
  assert.throws(() => prunerCategory("x"), /unknown pruner 'x'/);
});

test("Ramanujan rows take their algorithm by row order; aggregates by hand", () => {
  const dir = fixture();
  const lay = loadRamanujanLayers(dir);
  assert.deepEqual(lay.pruning, ["snip", "snip", "uniform", "uniform"]);
  const agg = aggregateLayers(lay, RAMANUJAN_LAYER_METRICS);
  assert.equal(agg.infiniteLayerValues, 1);
  const snip = agg.keys.indexOf("M1|CIFAR-10|snip|0.9|0");
  const uni = agg.keys.indexOf("M1|CIFAR-10|uniform|0.9|0");
  // snip: iterative gap only on layer 1 (layer 0 NaN); degree_bound only on layer 0 (layer 1 −inf)
  assert.equal(agg.num.iterative_spectral_gap_mean[snip], 1.5);
  assert.equal(agg.num.degree_bound_max[snip], 0.2);
  // uniform: gap mean (2+4)/2, min 2, max 4, density-weighted (0.1·2 + 0.1·4)/0.2 = 3
  assert.equal(agg.num.iterative_spectral_gap_mean[uni], 3);
  assert.equal(agg.num.iterative_spectral_gap_min[uni], 2);
  assert.equal(agg.num.iterative_spectral_gap_max[uni], 4);
  assert.ok(Math.abs(agg.num.iterative_spectral_gap_wmean[uni] - 3) < 1e-12);
  // snip layer densities 0.5, 0.1: mean 0.3; global density (50 + 10)/200
  assert.ok(Math.abs(agg.num.layer_density_mean[snip] - 0.3) < 1e-12);
  assert.ok(Math.abs(agg.num.global_density[snip] - 0.3) < 1e-12);
  // BGE: density-weighted bridges for snip = (0.5·4 + 0.1·2)/0.6
  const bge = aggregateLayers(loadBgeLayers("rolled", dir, ["bridges", "motifs_count"]), ["bridges", "motifs_count"]);
  const s2 = bge.keys.indexOf("M1|CIFAR-10|snip|0.9|0");
  assert.ok(Math.abs(bge.num.bridges_wmean[s2] - 2.2 / 0.6) < 1e-12);
});

test("a misaligned Ramanujan file is refused with file and row", () => {
  const dir = fixture();
  const f = path.join(dir, "ramanunjan_results", "M1", "rolled-CIFAR-10-M1.csv");
  const lines = fs.readFileSync(f, "utf8").split("\n");
  [lines[3], lines[4]] = [lines[4], lines[3]];
  fs.writeFileSync(f, lines.join("\n"));
  assert.throws(() => loadRamanujanLayers(dir), /row-order join: .*rolled-CIFAR-10-M1\.csv:4 layer_name='fc' but .*rolled-CIFAR-10-M1\.csv:4 has 'conv1'/);
});


test("released data: 2,337 rows → 2,290 settings, 11 algorithms, encodings joined", { skip: paperDataSkip() }, () => {
  const d = loadPaperData();
  assert.equal(d.info.rowsRead, 2337);
  assert.equal(d.info.duplicatesRemoved, 47);
  assert.equal(d.unrolled.n, 2290);
  assert.equal(new Set(d.unrolled.pruning).size, 11);
  assert.equal(new Set(tableKeys(d.unrolled)).size, 2290);
  for (let i = 0; i < d.unrolled.n; i++) assert.ok(d.unrolled.accuracyDrop[i] >= 0);
  // no MobileNetV2 in the per-layer files; every joined row has all four encodings
  assert.ok(!d.joined.model.includes("MobileNetV2"));
  assert.ok(d.joined.n > 1800 && d.joined.n < 2290, `joined ${d.joined.n}`);
  for (const set of ["mge", "rolled", "rolled-channel", "ramanujan", "density"] as const) assert.ok(featureColumns(d.joined, set).length > 0);
  // realised density from nnz/numel is close to 1 − target sparsity for uniform pruning (§5.2)
  for (let i = 0; i < d.joined.n; i++) {
    if (d.joined.pruning[i] !== "uniform") continue;
    assert.ok(Math.abs(d.joined.num["ramanujan:global_density"][i] - (1 - d.joined.sparsity[i])) < 2e-3);
  }
});

test("danfo DataFrames of the network and layer tables", () => {
  const { toDataFrame, layersDataFrame } = require("../../src/analysis/dataframe") as typeof import("../../src/analysis/dataframe");
  const dir = fixture();
  const { table } = loadNetworkCsv(releasedMetricsFile(dir));
  const df = toDataFrame(table, ["sink_nodes"]);
  assert.deepEqual(df.shape, [4, 9]);
  assert.deepEqual(df.column("category").values, ["PaI", "random", "DST", "random"]);
  const lf = layersDataFrame(loadRamanujanLayers(dir));
  assert.equal(lf.shape[0], 4);
  assert.deepEqual(lf.column("pruning").values, ["snip", "snip", "uniform", "uniform"]);
});
