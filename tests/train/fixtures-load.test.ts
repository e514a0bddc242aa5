import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { listReferenceFixtures, referenceNetworkFile } from "../../src/metrics/reference";
import { buildArchitecture } from "../../src/nn/architectures";
import { initBackend } from "../../src/nn/backend";
import { buildModel, modelToHost } from "../../src/nn/model";
import { loadModelFile } from "../../src/train/checkpoint";
import { readSafetensorsHeader } from "../../src/io/safetensors";

const files = listReferenceFixtures();

test("official fixture networks load into our models (names, PyTorch layouts, masks) and run", async () => {
  assert.equal(files.length, 4, "the four reference fixtures of data/reference/");
  await initBackend("wasm");
  for (const f of files) {
    const file = referenceNetworkFile(f);
    const probe = loadModelFileMeta(file);
    const spec = buildArchitecture(probe.architecture, { inputSize: Number(probe.input_size), inputChannels: Number(probe.in_channels), classes: Number(probe.classes) });
    const model = buildModel(spec, { seed: 0 });
    const ours = modelToHost(model).weights;
    const loaded = loadModelFile(file, model, { allowMissing: true });
    const back = modelToHost(model);
    for (const name of model.prunable) {
      const w = loaded.weights.get(name);
      assert.ok(w, `${f}: ${name} in the file`);
      assert.deepEqual(back.weights.get(name)!.data, w!.data, `${f}: ${name} survives the layout round trip`);
      assert.deepEqual(back.masks.get(name)!.data, loaded.masks.get(name)!.data, `${f}: ${name} mask`);
      // The official init is Kaiming-normal fan-in (ReLU gain): the kept weights of the file and our
      // own fresh init must have about the same standard deviation, √(2 / fan_in).
      const m = loaded.masks.get(name)!.data;
      let s2 = 0;
      let k = 0;
      for (let i = 0; i < m.length; i++) if (m[i]) { s2 += w!.data[i] ** 2; k++; }
      const fanIn = w!.shape.slice(1).reduce((a, b) => a * b, 1);
      const expected = Math.sqrt(2 / fanIn);
      let o2 = 0;
      for (const v of ours.get(name)!.data) o2 += v * v;
      const oursStd = Math.sqrt(o2 / ours.get(name)!.data.length);
      assert.ok(Math.abs(oursStd - expected) < 0.05 * expected + 4 * expected / Math.sqrt(ours.get(name)!.data.length), `${f}: our ${name} std ${oursStd} vs ${expected}`);
      if (k >= 200) assert.ok(Math.abs(Math.sqrt(s2 / k) - expected) < 0.1 * expected, `${f}: official ${name} std ${Math.sqrt(s2 / k)} vs ${expected}`);
    }
    const logits = tf.tidy(() => model.forward(tf.ones([2, spec.inputSize, spec.inputSize, spec.inputChannels]) as tf.Tensor4D, { training: false }).dataSync());
    assert.ok(Array.from(logits).every(Number.isFinite), `${f}: finite logits`);
    model.dispose();
  }
});

function loadModelFileMeta(file: string): Record<string, string> {
  return readSafetensorsHeader(file).__metadata__ as Record<string, string>;
}
