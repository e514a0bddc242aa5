/**
 * Pruning a DAG: the shape-only pruners and magnitude pruning on an imported / torchvision DAG, the
 * refusal of the data-driven ones, the BGEs of a DAG equal to those of the same built-in ArchSpec,
 * and `prune/encode/metrics --model` end to end (spawned).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { archToDag, torchvisionResnet, buildArchitecture, architectureWeights, randomSparseNetwork } from "../../src/nn";
import { prune, prunableLayers, pruneMagnitude } from "../../src/pruning";
import { encodeRolledBge, encodeRolledChannelBge, edgeFingerprint } from "../../src/encoding";
import type { WeightMap } from "../../src/nn/tensors";
import { projectRoot } from "../../src/io/paths";
import { loadNetwork } from "../../src/nn/network-file";
import { Rng } from "../../src/util/rng";

test("torchvision ResNet-18/50 DAGs have torchvision's parameter counts", () => {
  // torchvision: resnet18 11,689,512 and resnet50 25,557,032 parameters; conv/linear weights only here
  // (no biases but fc's, no BN): 11,679,912 − … computed from the published totals minus BN (2 per channel) and fc bias.
  const count = (name: "resnet18" | "resnet50"): number => architectureWeights(torchvisionResnet(name)).reduce((a, w) => a + w.numel, 0);
  // resnet18: 11,689,512 total − 9,600 BN params − 1,000 fc bias = 11,678,912.
  assert.equal(count("resnet18"), 11_678_912);
  // resnet50: 25,557,032 total − 53,120 BN params − 1,000 fc bias = 25,502,912.
  assert.equal(count("resnet50"), 25_502_912);
});

test("uniform / er / erk prune a DAG as they prune the same layer list; data-driven pruners refuse it", () => {
  const dag = torchvisionResnet("resnet18", { inputSize: 64 });
  const layers = prunableLayers(dag);
  assert.equal(layers.length, 21);
  for (const p of ["uniform", "er", "erk"]) {
    const a = prune(p, dag, 0.9, { seed: 1 });
    const b = prune(p, layers, 0.9, { seed: 1 });
    assert.deepEqual([...a.masks.keys()], layers.map((l) => l.name));
    for (const [k, m] of a.masks) assert.deepEqual(m.data, b.masks.get(k)!.data);
  }
  assert.throws(() => prune("snip", dag, 0.9, { seed: 0 }), /pruning\/snip: needs one of the built-in architectures .* 'resnet18' is an imported DAG/);
});

test("magnitude pruning keeps exactly the largest |w| (global and layer-wise), against a sort", () => {
  const rng = new Rng(5);
  const dag = archToDag(buildArchitecture("lenet5"));
  const layers = prunableLayers(dag);
  const weights: WeightMap = new Map(layers.map((l) => {
    const n = l.shape.reduce((a, b) => a * b, 1);
    return [l.name, { shape: l.shape, data: Float32Array.from({ length: n }, () => rng.normal()) }];
  }));
  const s = 0.8;
  const g = pruneMagnitude(layers, weights, s, { seed: 0 });
  const all = layers.flatMap((l) => Array.from(weights.get(l.name)!.data, Math.abs)).sort((a, b) => b - a);
  const keep = all.length - Math.round(s * all.length);
  const threshold = all[keep - 1];
  let kept = 0;
  for (const l of layers) {
    const w = weights.get(l.name)!.data;
    const m = g.masks.get(l.name)!.data;
    for (let i = 0; i < w.length; i++) {
      kept += m[i];
      if (Math.abs(w[i]) > threshold) assert.equal(m[i], 1);
      if (Math.abs(w[i]) < threshold) assert.equal(m[i], 0);
    }
  }
  assert.equal(kept, keep);
  const lw = pruneMagnitude(layers, weights, s, { seed: 0, scope: "layerwise" });
  for (const l of layers) {
    const w = Array.from(weights.get(l.name)!.data, Math.abs);
    const m = lw.masks.get(l.name)!.data;
    const k = w.length - Math.round(s * w.length);
    const t = [...w].sort((a, b) => b - a)[k - 1];
    assert.equal(m.reduce((a, b) => a + b, 0), k, l.name);
    for (let i = 0; i < w.length; i++) if (w[i] > t) assert.equal(m[i], 1);
  }
  assert.throws(() => pruneMagnitude(layers, new Map(), 0.5, { seed: 0 }), /no weight 'conv1.weight'/);
});

test("rolled and rolled-channel BGEs of a converted built-in equal the ArchSpec's", () => {
  const spec = buildArchitecture("mobilenetv2", { widthMultiplier: 0.25 });
  const { weights, masks } = randomSparseNetwork(spec, 0.8, 2);
  const dag = archToDag(spec);
  for (const enc of [encodeRolledBge, encodeRolledChannelBge]) {
    const a = enc(spec, masks, { weights });
    const b = enc(dag, masks, { weights });
    assert.deepEqual(b.map((l) => [l.layer, l.role]), a.map((l) => [l.layer, l.role]));
    for (let i = 0; i < a.length; i++) assert.deepEqual(edgeFingerprint(b[i].graph), edgeFingerprint(a[i].graph));
  }
});

test("prune / encode / metrics --model end to end on the exported tiny CNN", () => {
  const bin = path.join(projectRoot(), "bin", "snn-topology.js");
  const onnx = path.join(projectRoot(), "tests", "fixtures", "torch-io", "tiny.onnx.gz");
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: projectRoot() });
  const dir = mkdtempSync(path.join(os.tmpdir(), "snn-model-cli-"));
  try {
    const out = path.join(dir, "p.safetensors");
    const p = run(["prune", "--model", onnx, "--pruner", "erk", "--sparsity", "0.5", "--seed", "2", "--out", out, "--json"]);
    assert.equal(p.status, 0, p.stderr);
    const net = loadNetwork(out);
    let kept = 0;
    for (const m of net.masks.values()) for (const v of m.data) kept += v;
    assert.equal(kept, 436 - 218);
    const e = run(["encode", "--model", onnx, "--weights", out, "--encoding", "mge", "--alignment", "exact", "--json"]);
    assert.equal(e.status, 0, e.stderr);
    const j = JSON.parse(e.stdout);
    assert.equal(j.nodes, 3 * 10 * 10 + 4 * 8 * 8 + 8 * 2 * 2 + 5);
    assert.equal(j.partitions.length, 4);
    assert.equal(j.edges, j.edgesPerLayer.reduce((a: number, l: { edges: number }) => a + l.edges, 0));
    const m = run(["metrics", "--model", onnx, "--weights", out, "--metrics", "sink_nodes,source_nodes,connected_components", "--json"]);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(JSON.parse(m.stdout).edges, j.edges);
    const bad = run(["prune", "--model", onnx, "--pruner", "snip", "--sparsity", "0.5", "--out", out]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--pruner snip with --model: only uniform, er, erk, magnitude, magnitude-layerwise/);
    const noW = run(["encode", "--model", "resnet18", "--input-size", "32", "--json"]);
    assert.notEqual(noW.status, 0);
    assert.match(noW.stderr, /built-in architecture without weights: give --weights FILE or --random-mask SPARSITY/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the tfjs model builder refuses an imported DAG by name", () => {
  const { buildModel } = require("../../src/nn/model") as typeof import("../../src/nn/model");
  const dag = torchvisionResnet("resnet18", { inputSize: 32 });
  assert.throws(() => buildModel(dag as unknown as Parameters<typeof buildModel>[0]), /nn\/model: buildModel: needs one of the built-in architectures .* 'resnet18' is an imported DAG/);
});
