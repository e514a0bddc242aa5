import { test } from "node:test";
import assert from "node:assert/strict";
import { reluTieMask } from "./native-test-util";

// The ReLU tie rule the native BatchNorm + ReLU tests compare gradients under: it must let through
// only elements whose pre-activation is within rounding of 0, and only a few of them.

const z = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) / 100); // pre-activations −5 … 4.99
z[10] = 1e-7; // a tie: 1e-7 of the largest |z| = 5
const ref = Float32Array.from(z, (v) => Math.max(v, 0));

test("reluTieMask: agreement gives null, a tie that changes sides gives the native mask", () => {
  assert.equal(reluTieMask(ref.slice(), ref, () => z, "same"), null);
  const nat = ref.slice();
  nat[10] = 0; // the tie landed on the other side
  const mask = reluTieMask(nat, ref, () => z, "tie");
  assert.ok(mask !== null);
  assert.equal(mask[10], 0);
  assert.equal(mask[900], 1);
  assert.equal(mask.reduce((a, b) => a + b, 0), 499); // z > 0 at i = 501…999; element 10 (the tie) is now 0
});

test("reluTieMask refuses an element far from 0 that changes sides, and many that do", () => {
  const far = ref.slice();
  far[700] = 0; // z = 2: not a tie
  assert.throws(() => reluTieMask(far, ref, () => z, "far"), /element 700 changes sides of the ReLU with pre-activation 2/);
  const many = Float32Array.from(ref, () => 0); // every positive output zeroed
  assert.throws(() => reluTieMask(many, ref, () => z, "many"), /500 of 1000 elements change sides/);
});
