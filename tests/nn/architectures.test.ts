import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  ARCHITECTURE_NAMES,
  buildArchitecture,
  conv6,
  inferShapes,
  lenet5,
  lenet300_100,
  mobilenetv2,
  prunableWeights,
  resnet20,
  resnet32,
  wrn28_2,
} from "../../src/nn";
import { referenceNetworkFile } from "../../src/metrics/reference";

/** Reads a safetensors JSON header directly (independent of src/io: node:zlib for the `.gz` fixtures). */
function headerOf(file: string): Record<string, { dtype: string; shape: number[] }> {
  const raw = readFileSync(file);
  const buf = file.endsWith(".gz") ? gunzipSync(raw) : raw;
  const n = Number(buf.readBigUInt64LE(0));
  return JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
}

const fixtures: [string, () => ReturnType<typeof conv6>][] = [
  ["conv-6_erk_0.98", () => conv6()],
  ["resnet-20_er_0.9", () => resnet20()],
  ["wide-resnet-28-2_er_0.98", () => wrn28_2()],
];

for (const [file, build] of fixtures) {
  test(`prunable weights of ${file} match the official state_dict names and shapes, in order`, () => {
    const h = headerOf(referenceNetworkFile(file));
    const official = Object.entries(h)
      .filter(([k]) => k !== "__metadata__" && !k.endsWith("_mask"))
      .map(([k, v]) => ({ name: k, shape: v.shape, offset: (v as unknown as { data_offsets: number[] }).data_offsets[0] }))
      .sort((a, b) => a.offset - b.offset);
    const ours = prunableWeights(build());
    assert.deepEqual(ours.map((w) => w.name), official.map((w) => w.name));
    assert.deepEqual(ours.map((w) => [...w.shape]), official.map((w) => w.shape));
  });
}

test("prunable layer counts match reference-notes §4 (9, 22, 34, 29)", () => {
  assert.equal(prunableWeights(conv6()).length, 9);
  assert.equal(prunableWeights(resnet20()).length, 22);
  assert.equal(prunableWeights(resnet32()).length, 34);
  assert.equal(prunableWeights(wrn28_2()).length, 29);
  const roles = prunableWeights(resnet20()).filter((w) => w.role === "residual").map((w) => w.name);
  assert.deepEqual(roles, ["layer2.0.shortcut.0.weight", "layer3.0.shortcut.0.weight"]);
  assert.equal(prunableWeights(wrn28_2()).filter((w) => w.role === "residual").length, 3);
});

test("every architecture builds and its shapes chain to the class count, for several options", () => {
  for (const name of ARCHITECTURE_NAMES) {
    for (const classes of [10, 100]) {
      const spec = buildArchitecture(name, { classes });
      const shapes = inferShapes(spec);
      assert.deepEqual(shapes[shapes.length - 1].output, [classes]);
    }
  }
  assert.equal(buildArchitecture("Wide-Resnet-28-2").name, "wrn28-2");
  assert.equal(buildArchitecture("CONV-6").name, "conv6");
  assert.throws(() => buildArchitecture("vgg16"), /unknown architecture 'vgg16'/);
});

test("conv6 flatten size follows the input size and width multiplier", () => {
  const s = conv6({ inputSize: 64, widthMultiplier: 0.5, classes: 7 });
  const fc = prunableWeights(s).find((w) => w.name === "linear.0.weight");
  assert.deepEqual(fc?.shape, [128, 128 * 8 * 8]);
  assert.deepEqual(prunableWeights(s).at(-1)?.shape, [7, 128]);
});

test("feature-map sizes: ResNet-20 stages 32/16/8, WRN groups 32/16/8, MobileNetV2 ends at 4×4", () => {
  const sizeOf = (spec: ReturnType<typeof conv6>, layer: string) => inferShapes(spec).find((s) => s.name === layer)?.output;
  assert.deepEqual(sizeOf(resnet20(), "layer1.2.conv2"), [16, 32, 32]);
  assert.deepEqual(sizeOf(resnet20(), "layer2.0.conv1"), [32, 16, 16]);
  assert.deepEqual(sizeOf(resnet20(), "layer3.0.shortcut.0"), [64, 8, 8]);
  assert.deepEqual(sizeOf(wrn28_2(), "block1.layer.0.convShortcut"), [32, 32, 32]);
  assert.deepEqual(sizeOf(wrn28_2(), "block3.layer.3.conv2"), [128, 8, 8]);
  const mb = mobilenetv2();
  assert.deepEqual(sizeOf(mb, "conv2"), [1280, 4, 4]);
  // kuangliu: a shortcut conv exactly for the stride-1 blocks with in != out.
  const sc = prunableWeights(mb).filter((w) => w.role === "residual").map((w) => w.layer);
  assert.deepEqual(sc, ["layers.0.shortcut.0", "layers.1.shortcut.0", "layers.10.shortcut.0", "layers.16.shortcut.0"]);
  const dw = mb.layers.length; // smoke: depthwise convs have weight [planes, 1, 3, 3]
  assert.ok(dw > 0);
  assert.deepEqual(prunableWeights(mb).find((w) => w.layer === "layers.3.conv2")?.shape, [144, 1, 3, 3]);
});

test("LeNets: layer names and shapes", () => {
  assert.deepEqual(prunableWeights(lenet300_100()).map((w) => [w.name, ...w.shape]), [
    ["fc1.weight", 300, 784],
    ["fc2.weight", 100, 300],
    ["fc3.weight", 10, 100],
  ]);
  assert.deepEqual(prunableWeights(lenet5()).map((w) => [w.name, ...w.shape]), [
    ["conv1.weight", 6, 1, 5, 5],
    ["conv2.weight", 16, 6, 5, 5],
    ["fc1.weight", 120, 256],
    ["fc2.weight", 84, 120],
    ["fc3.weight", 10, 84],
  ]);
  assert.deepEqual(prunableWeights(lenet5({ inputSize: 32, inputChannels: 3 }))[2].shape, [120, 400]);
});

test("invalid options and inconsistent specs are refused with the layer named", () => {
  assert.throws(() => resnet20({ classes: 0 }), /classes must be a positive integer/);
  const bad = { ...lenet300_100(), classes: 11 };
  assert.throws(() => inferShapes(bad), /outputs \[10\], expected \[11\]/);
  const spec = conv6();
  const layers = [...spec.layers];
  layers[0] = { ...(layers[0] as unknown as Record<string, unknown>), inChannels: 4 } as never;
  assert.throws(() => inferShapes({ ...spec, layers }), /conv convs1\.0 expects 4 input channels, got 3/);
});
