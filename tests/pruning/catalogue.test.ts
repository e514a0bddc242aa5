/**
 * The pruner catalogue against the paper's lists (reference-notes §3, written out here), the
 * registry's completeness, and the validation `prune` does once from the catalogue.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DST_PRUNERS, INIT_PRUNERS, MODEL_PRUNERS, PAI_ALGORITHMS, PAPER_PRUNERS, PRUNERS, PRUNER_NAMES, prunerCategory, prunerInfo } from "../../src/pruning/catalogue";
import { pruneMagnitude } from "../../src/pruning/magnitude";
import { randomSparseNetwork } from "../../src/nn/architectures-random";
import { PRUNER_REGISTRY } from "../../src/pruning/registry";
import { prune } from "../../src/pruning/prune";
import { buildArchitecture } from "../../src/nn/architectures";
import { prunableLayers } from "../../src/pruning/layers";

test("catalogue: the paper's eleven algorithms, seven PaI, five DST methods (SET ours only)", () => {
  assert.deepEqual([...PAPER_PRUNERS].sort(), ["dsr", "er", "erk", "grasp", "itop", "prospr", "rigl", "snfs", "snip", "synflow", "uniform"]);
  assert.deepEqual([...PAI_ALGORITHMS].sort(), ["er", "erk", "grasp", "prospr", "snip", "synflow", "uniform"]);
  assert.deepEqual([...DST_PRUNERS].sort(), ["dsr", "itop", "rigl", "set", "snfs"]);
  assert.equal(prunerCategory("ERK"), "random");
  assert.equal(prunerInfo("SNIP").name, "snip");
  assert.throws(() => prunerInfo("magic", "here"), /here: unknown pruner 'magic'; known: snip/);
  for (const n of PRUNER_NAMES) assert.equal(typeof PRUNER_REGISTRY[n], "function", n);
  assert.deepEqual(Object.keys(PRUNER_REGISTRY).sort(), [...PRUNER_NAMES].sort());
  for (const n of PRUNER_NAMES) assert.equal(PRUNERS[n].dst, PRUNERS[n].category === "DST", n);
});

test("catalogue: the magnitude pruners are listed but leave the grid's, the analysis' and notebook 01's lists as they were", () => {
  assert.deepEqual(PRUNER_NAMES.filter((n) => PRUNERS[n].needs === "weights"), ["magnitude", "magnitude-layerwise"]);
  assert.equal(prunerCategory("magnitude-layerwise"), "magnitude");
  // The twelve the grid (PIPELINE_PRUNERS) and notebook 01 run, in the order they ran before.
  assert.deepEqual(INIT_PRUNERS, ["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk", "snfs", "rigl", "dsr", "itop", "set"]);
  // `prune --model`'s list and the order its error message names them in.
  assert.deepEqual(MODEL_PRUNERS, ["uniform", "er", "erk", "magnitude", "magnitude-layerwise"]);
});

test("prune runs the magnitude pruners from the registry: the weights are required, the masks are pruneMagnitude's", () => {
  const spec = buildArchitecture("lenet300-100", { widthMultiplier: 0.25 });
  const { weights } = randomSparseNetwork(spec, 0, 3);
  assert.throws(() => prune("magnitude", spec, 0.9, { seed: 0 }), /pruning\/magnitude: needs the network's weights \(options\.weights/);
  for (const [name, scope] of [["magnitude", "global"], ["magnitude-layerwise", "layerwise"]] as const) {
    const viaPrune = prune(name, spec, 0.9, { seed: 2, weights });
    const direct = pruneMagnitude(prunableLayers(spec), weights, 0.9, { seed: 2, scope });
    assert.equal(viaPrune.method, name);
    assert.equal(viaPrune.hook, undefined);
    for (const [k, m] of direct.masks) assert.deepEqual(viaPrune.masks.get(k)?.data, m.data, `${name}: ${k}`);
  }
});

test("prune validates once from the catalogue: model and data where needed; shapes suffice for random and DST", () => {
  const spec = buildArchitecture("lenet300-100", { widthMultiplier: 0.25 });
  assert.throws(() => prune("synflow", spec, 0.9, { seed: 0 }), /pruning\/synflow: needs a SparseModel .* got an ArchSpec/);
  assert.throws(() => prune("snip", prunableLayers(spec), 0.9, { seed: 0 }), /pruning\/snip: needs a SparseModel .* got a layer list/);
  assert.throws(() => prune("erk", spec, 1.5, { seed: 0 }), /pruning\/erk/);
  const layers = prunableLayers(spec);
  const total = layers.reduce((a, l) => a + l.shape.reduce((x, y) => x * y, 1), 0);
  for (const name of ["uniform", "er", "erk", "rigl", "set"]) {
    const r = prune(name, spec, 0.9, { seed: 1 });
    let kept = 0;
    for (const m of r.masks.values()) for (const v of m.data) kept += v;
    assert.ok(Math.abs(kept / total - 0.1) < 0.01, `${name}: density ${kept / total}`);
    assert.equal(r.hook !== undefined, PRUNERS[name as keyof typeof PRUNERS].dst, name);
  }
});
