/**
 * The MGE sizes against the paper's released metrics (unrolled.csv, read-only; skipped without the paper data):
 * node counts exactly, and the edge counts of layer-wise uniform random masks within 1.5 % of the
 * mean over the CSV's seeds (the masks are random, so only the expectation can match). This checks
 * the architectures, the unrolling and the reference alignment against graphs the authors built,
 * including MobileNetV2, whose model code was never released.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { paperDataFile, paperDataSkip } from "../paper-data";
import { buildArchitecture, prunableWeights } from "../../src/nn";
import type { MaskMap } from "../../src/nn/tensors";
import { countMge } from "../../src/encoding";
import { Rng } from "../../src/util/rng";

const csv = paperDataFile("graph_metrics/unrolled/unrolled.csv");

/** Layer-wise uniform masks (exact keep count per layer), masks only. */
function uniformMasks(name: string, sparsity: number, seed: number): MaskMap {
  const rng = new Rng(seed);
  const masks: MaskMap = new Map();
  for (const w of prunableWeights(buildArchitecture(name))) {
    const n = w.numel;
    const keep = Math.round((1 - sparsity) * n);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const m = new Uint8Array(n);
    for (let i = 0; i < keep; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      m[idx[i]] = 1;
    }
    masks.set(w.name, { shape: w.shape, data: m });
  }
  return masks;
}

test("uniform-pruned MGE sizes match unrolled.csv (CIFAR-10): nodes exactly, edges within 1.5 % of the seed mean", { skip: paperDataSkip() }, () => {
  const lines = readFileSync(csv, "utf8").trim().split("\n");
  const head = lines[0].split(",");
  const col = (n: string) => head.indexOf(n);
  const groups = new Map<string, { nodes: number; edges: number[] }>();
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    if (f[col("pruning")] !== "uniform" || f[col("dataset")] !== "CIFAR-10") continue;
    const key = `${f[col("model")]}|${f[col("sparsity")]}`;
    const g = groups.get(key) ?? { nodes: Number(f[col("nodes")]), edges: [] };
    g.edges.push(Number(f[col("edges")]));
    groups.set(key, g);
  }
  const archOf: Record<string, string> = { "CONV-6": "conv6", "Resnet-20": "resnet20", "Resnet-32": "resnet32", "Wide-Resnet-28-2": "wrn28-2", MobileNetV2: "mobilenetv2" };
  let checked = 0;
  for (const [key, g] of groups) {
    const [model, sp] = key.split("|");
    const arch = archOf[model];
    if (!arch || Number(sp) < 0.8) continue;
    const c = countMge(buildArchitecture(arch), uniformMasks(arch, Number(sp), 1), { alignment: "reference" });
    assert.equal(c.nodes, g.nodes, key);
    const mean = g.edges.reduce((a, b) => a + b, 0) / g.edges.length;
    assert.ok(Math.abs(c.edges - mean) / mean < 0.015, `${key}: ${c.edges} edges vs CSV mean ${mean.toFixed(0)}`);
    checked++;
    if (process.env.SNN_DEBUG_PAPER) console.log(key, c.edges, mean.toFixed(0), ((c.edges - mean) / mean * 100).toFixed(2) + "%");
  }
  assert.ok(checked >= 15, `only ${checked} (model, sparsity) groups checked`);
});
