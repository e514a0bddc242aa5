import { test } from "node:test";
import assert from "node:assert/strict";
import { buildModel } from "../../src/nn/model";
import { buildArchitecture } from "../../src/nn/architectures";
import { tinySpec } from "../train/tiny-fixtures";
import { assertNoLeak, leakedTensors, useKernels } from "../tensor-leaks";

test("buildModel + dispose returns tf.memory().numTensors to its baseline (conv + BN + linear, and a ResNet)", async (t) => {
  if (!(await useKernels(t, "wasm"))) return;
  // a model with biases, BN running statistics and masks: one leaked initial value per parameter before the fix
  const r = leakedTensors(() => buildModel(tinySpec, { seed: 1 }).dispose());
  assert.equal(r.count, 0, `left alive:\n  ${r.leaked.join("\n  ")}`);
  const spec = buildArchitecture("resnet20", { inputSize: 8, inputChannels: 1, classes: 4, widthMultiplier: 0.25 });
  assertNoLeak("buildModel(resnet20) + dispose", () => buildModel(spec, { seed: 2 }).dispose());
});

test("a model holds exactly its parameters, buffers and masks", async (t) => {
  if (!(await useKernels(t, "wasm"))) return;
  const r = leakedTensors(() => buildModel(tinySpec, { seed: 1 }));
  const m = r.result;
  try {
    assert.equal(r.count, m.params.size + m.buffers.size + m.masks.size);
  } finally {
    m.dispose();
  }
});
