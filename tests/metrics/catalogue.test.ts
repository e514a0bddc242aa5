/**
 * The metric catalogue against the files it describes: the released unrolled.csv's header (the 16
 * metric columns and their order), the rolled and Ramanujan files' headers (the per-layer stems), the
 * reference fixtures' `metrics_raw` keys, and the groups of the official main.py (reference-notes §2.1).
 */
import { test } from "node:test";
import { paperDataSkip } from "../paper-data";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  BGE_COLUMN_ALIASES,
  BGE_LAYER_METRICS,
  BGE_METRIC_INFO,
  BGE_METRICS,
  MGE_METRIC_GROUPS,
  MGE_METRICS,
  METRICS,
  METRIC_NAMES,
  RAMANUJAN_LAYER_METRICS,
  UNROLLED_METRIC_COLUMNS,
  layerAggregateColumns,
} from "../../src/metrics/catalogue";
import { paperDataDir } from "../../src/io/paths";

const header = (file: string): string[] => fs.readFileSync(file, "utf8").split("\n")[0].trim().split(",");

test("MGE descriptors: 16 distinct columns and fixture keys; groups as printed by main.py partition them", () => {
  assert.equal(METRIC_NAMES.length, 16);
  assert.equal(new Set(MGE_METRICS).size, 16);
  assert.equal(new Set(METRIC_NAMES.map((m) => METRICS[m].fixtureKey)).size, 16);
  assert.deepEqual([...UNROLLED_METRIC_COLUMNS].sort(), [...MGE_METRICS].sort());
  assert.deepEqual(new Set(METRIC_NAMES.map((m) => METRICS[m].csvPosition)), new Set(Array.from({ length: 16 }, (_, i) => i)));
  // main.py's print groups (reference-notes §2.1), written out independently of the descriptors.
  assert.deepEqual(MGE_METRIC_GROUPS, {
    local: ["sink_nodes", "source_nodes", "disc_nodes", "r-out", "r-in"],
    neighbourhood: ["1-hop_nei", "2-hop_nei", "motif"],
    strength: ["avg_node_strength", "k-core"],
    global: ["cut-edges", "cut-nodes", "no_connected_components", "mean_connected_components"],
    expansion: ["spectral_gap", "spectral_radius"],
  });
});

test("BGE descriptors: each is the analogue of an MGE metric; the alias is that metric's column", () => {
  assert.equal(BGE_METRICS.length, 10);
  for (const m of BGE_METRICS) assert.equal(BGE_COLUMN_ALIASES[BGE_METRIC_INFO[m].column], METRICS[BGE_METRIC_INFO[m].mge].csvColumn);
  assert.deepEqual(layerAggregateColumns("rolled:", ["bridges"]), ["rolled:bridges_mean", "rolled:bridges_min", "rolled:bridges_max", "rolled:bridges_wmean"]);
});

const dir = paperDataDir();
const unrolled = path.join(dir, "graph_metrics", "unrolled", "unrolled.csv");
test("the released files carry exactly the catalogue's columns, in unrolled.csv's order", { skip: paperDataSkip() }, () => {
  assert.deepEqual(header(unrolled).slice(8), [...UNROLLED_METRIC_COLUMNS]);
  const rolled = header(path.join(dir, "graph_metrics", "rolled", "rolled-CIFAR-10-CONV-6.csv"));
  for (const c of BGE_LAYER_METRICS) assert.ok(rolled.includes(c), `rolled file lacks ${c}`);
  const ram = header(path.join(dir, "ramanunjan_results", "CONV-6", "rolled-CIFAR-10-CONV-6.csv"));
  for (const c of RAMANUJAN_LAYER_METRICS) assert.ok(ram.includes(c), `Ramanujan file lacks ${c}`);
});
