/**
 * The general MGE (src/encoding/dag-mge.ts) against
 * - a brute-force Jacobian oracle (./dag-oracle.ts) on small random DAGs with residual adds
 *   (identity and projection), concats (DenseNet-style and of one set twice), overlapping and
 *   ceil-mode pooling with padding and dilation, depthwise/grouped/dilated/strided convs with
 *   asymmetric padding, adaptive pooling and linear heads — edge sets, summed weights, node sets;
 * - the ArchSpec encoder on every built-in architecture converted with archToDag (`exact`: equal
 *   fingerprints, with and without identity shortcuts, also at 100 classes; `reference`: lifted);
 * - the reference fixtures (fingerprints through the DAG path);
 * - the errors it must raise.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DagNode, DagOp, DagSpec, Pads } from "../../src/nn/dag";
import { archToDag, dagWeights, inferDagShapes } from "../../src/nn/dag";
import { buildArchitecture, ARCHITECTURE_NAMES } from "../../src/nn";
import type { MaskMap, WeightMap } from "../../src/nn/tensors";
import { encodeMge, countMge, edgeFingerprint } from "../../src/encoding";
import { encodeDagMge, countDagMge } from "../../src/encoding/dag-mge";
import { buildDagMgePlan } from "../../src/encoding/dag-plan";
import { loadNetwork } from "../../src/nn/network-file";
import { Rng } from "../../src/util/rng";
import { checkCsr, randomNet } from "./helpers";
import { oracleMge } from "./dag-oracle";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";

/** A tiny DAG builder over a current tensor with known shape. */
class Builder {
  nodes: DagNode[] = [];
  private k = 0;
  constructor(readonly rng: Rng) {}
  add(op: DagOp, inputs: string[], prefix: string = op.kind): string {
    const name = `${prefix}${this.k++}`;
    this.nodes.push({ name, op, inputs });
    return name;
  }
  conv(x: string, cin: number, cout: number, k: [number, number], s: [number, number], p: Pads, d: [number, number] = [1, 1], groups = 1): string {
    const name = `conv${this.k}`;
    return this.add({ kind: "conv2d", weight: `${name}.weight`, inChannels: cin, outChannels: cout, kernel: k, stride: s, padding: p, dilation: d, groups, bias: false, role: "conv" }, [x], "conv");
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.next() * (hi - lo + 1));
  }
}

function shapeOf(nodes: DagNode[], input: DagSpec["input"], t: string): readonly number[] {
  const dag: DagSpec = { kind: "dag", name: "t", input, nodes, output: t };
  return inferDagShapes(dag).get(t) as readonly number[];
}

/** A random small CNN DAG (seeded); every block keeps the map ≥ 2×2. */
function randomDag(seed: number): DagSpec {
  const rng = new Rng(seed);
  const b = new Builder(rng);
  const input = { name: "input", channels: b.int(1, 3), height: b.int(6, 9), width: b.int(6, 9) };
  let x = "input";
  if (rng.next() < 0.3) x = b.add({ kind: "batchnorm", features: input.channels }, [x]);
  const shape = (): readonly number[] => shapeOf(b.nodes, input, x);
  const fork = rng.next() < 0.2;
  let C = b.int(2, 4);
  if (fork) {
    // The input feeds two convs: unpadded input set, one merged node set.
    const a = b.conv(x, input.channels, C, [3, 3], [1, 1], [1, 1, 1, 1]);
    const c = b.conv(x, input.channels, C, [1, 1], [1, 1], [0, 0, 0, 0]);
    x = b.add({ kind: "add" }, [a, c]);
  } else {
    const k: [number, number] = [b.int(1, 3), b.int(1, 3)];
    x = b.conv(x, input.channels, C, k, [1, 1], [b.int(0, k[0] - 1), b.int(0, k[1] - 1), b.int(0, k[0] - 1), b.int(0, k[1] - 1)]);
  }
  const blocks = b.int(2, 4);
  for (let i = 0; i < blocks; i++) {
    const [, H, W] = shape();
    const kind = b.int(0, 7);
    if (kind === 0 && H >= 4 && W >= 4) {
      const k = b.int(2, 3);
      const s = b.int(1, 2);
      const pad = b.int(0, Math.floor(k / 2));
      x = b.add({ kind: rng.next() < 0.5 ? "maxpool" : "avgpool", kernel: [k, k], stride: [s, s], padding: [pad, pad, pad, pad], dilation: [1, 1], ceilMode: rng.next() < 0.5 }, [x]);
    } else if (kind === 1) {
      // Identity residual.
      const r = b.add({ kind: "activation", fn: "relu" }, [x]);
      let y = b.conv(r, C, C, [3, 3], [1, 1], [1, 1, 1, 1]);
      y = b.add({ kind: "batchnorm", features: C }, [y]);
      y = b.conv(y, C, C, [1, 1], [1, 1], [0, 0, 0, 0]);
      x = b.add({ kind: "add" }, [y, r]);
    } else if (kind === 2 && H >= 4 && W >= 4) {
      // Projection residual, stride 2.
      const C2 = b.int(2, 5);
      let y = b.conv(x, C, C2, [3, 3], [2, 2], [1, 1, 1, 1]);
      y = b.conv(b.add({ kind: "activation", fn: "relu" }, [y]), C2, C2, [3, 3], [1, 1], [1, 1, 1, 1]);
      const sc = b.add({ kind: "batchnorm", features: C2 }, [b.conv(x, C, C2, [1, 1], [2, 2], [0, 0, 0, 0])]);
      x = b.add({ kind: "add" }, [y, sc]);
      C = C2;
    } else if (kind === 3) {
      // Dense concat.
      const g = b.int(1, 3);
      const y = b.conv(x, C, g, [3, 3], [1, 1], [1, 1, 1, 1]);
      x = b.add({ kind: "concat" }, [x, y]);
      C += g;
    } else if (kind === 4) {
      // Depthwise (dilated when it fits) or grouped.
      if (rng.next() < 0.5 || C % 2 !== 0) {
        const d = H >= 5 && W >= 5 && rng.next() < 0.5 ? 2 : 1;
        x = b.conv(x, C, C, [3, 3], [1, 1], [d, d, d, d], [d, d], C);
      } else x = b.conv(x, C, 4, [3, 1], [1, 1], [1, 0, 0, 0], [1, 1], 2), (C = 4);
    } else if (kind === 5) {
      // Two layers of one add reading the same set: summed pairs.
      const a = b.conv(x, C, C, [3, 3], [1, 1], [1, 1, 1, 1]);
      const c = b.conv(x, C, C, [1, 1], [1, 1], [0, 0, 0, 0]);
      x = b.add({ kind: "add" }, [a, c]);
    } else if (kind === 6) {
      // Concat of one tensor with itself.
      x = b.add({ kind: "concat" }, [x, x]);
      C *= 2;
      x = b.conv(x, C, 2, [3, 3], [1, 1], [1, 1, 1, 1]);
      C = 2;
    } else {
      const C2 = b.int(2, 4);
      const s = H >= 4 ? 2 : 1;
      x = b.conv(x, C, C2, [3, 2], [s, 1], [1, 0, 1, 1]);
      C = C2;
    }
  }
  const [, H, W] = shape();
  const o = Math.min(H, W, b.int(1, 2));
  x = b.add({ kind: "adaptivepool", mode: rng.next() < 0.5 ? "avg" : "max", output: [o, o] }, [x]);
  x = b.add({ kind: "flatten" }, [x]);
  const F = b.int(3, 5);
  x = b.add({ kind: "linear", weight: `fc${b.nodes.length}.weight`, inFeatures: C * o * o, outFeatures: F, bias: true }, [x], "fc");
  x = b.add({ kind: "activation", fn: "relu" }, [x]);
  x = b.add({ kind: "linear", weight: `fc${b.nodes.length}.weight`, inFeatures: F, outFeatures: 3, bias: true }, [x], "fc");
  return { kind: "dag", name: `random-${seed}`, input, nodes: b.nodes, output: x };
}

function randomWeights(dag: DagSpec, density: number, seed: number): { weights: WeightMap; masks: MaskMap } {
  const rng = new Rng(seed);
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  for (const w of dagWeights(dag)) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const m = new Uint8Array(n);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      m[i] = rng.next() < density ? 1 : 0;
      d[i] = rng.next() < 0.1 ? 0 : rng.normal();
    }
    weights.set(w.name, { shape: w.shape, data: d });
    masks.set(w.name, { shape: w.shape, data: m });
  }
  return { weights, masks };
}

for (let seed = 0; seed < 24; seed++) {
  test(`general MGE equals the brute-force Jacobian pattern on random DAG ${seed}`, () => {
    const dag = randomDag(seed);
    const { weights, masks } = randomWeights(dag, 0.6, seed + 100);
    const idShortcuts = seed % 3 === 0;
    const g = encodeDagMge(dag, masks, { weights, alignment: "exact", weightPrecision: "float32", identityShortcuts: idShortcuts });
    checkCsr(g);
    const o = oracleMge(dag, weights, masks, idShortcuts);
    assert.deepEqual(g.partitions.map((p) => [p.name, p.size]), o.sets.map((s) => [s.name, s.size]));
    const got = new Map<string, number>();
    for (let v = 0; v < g.numNodes; v++) {
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        const k = `${v}>${g.targets[e]}`;
        assert.ok(!got.has(k), `parallel edge ${k}`);
        got.set(k, g.weights[e]);
      }
    }
    assert.equal(got.size, o.edges.size, "edge count");
    for (const [k, w] of o.edges) {
      const x = got.get(k);
      assert.ok(x !== undefined, `missing edge ${k}`);
      assert.ok(Math.abs(x - w) <= 1e-5 * Math.max(1, w), `edge ${k}: weight ${x}, Jacobian ${w}`);
    }
    const c = countDagMge(dag, masks, { weights, identityShortcuts: idShortcuts });
    assert.equal(c.edges, g.numEdges);
    assert.equal(c.edgesPerLayer.reduce((a, l) => a + l.edges, 0), g.numEdges);
  });
}

test("the random DAGs cover repeated pairs, concats, unpadded inputs and identity skips", () => {
  const plans = Array.from({ length: 24 }, (_, seed) => buildDagMgePlan(randomDag(seed), { identityShortcuts: true }));
  assert.ok(plans.some((p) => p.mayRepeat.some(Boolean)), "repeats");
  assert.ok(plans.some((p) => p.dag.nodes.some((n) => n.op.kind === "concat")), "concat");
  assert.ok(plans.some((p) => p.paddedFor === null), "unpadded input");
  assert.ok(plans.some((p) => p.writers.some((w) => w.kind === "identity")), "identity shortcut");
  assert.ok(plans.some((p) => p.writers.some((w) => w.input.segments.some((g) => !g.rows.identity))), "pooled reads");
});

const SMALL = { inputSize: 16, widthMultiplier: 0.25 };
for (const name of ARCHITECTURE_NAMES) {
  test(`general MGE of the converted ${name} equals the ArchSpec encoder (exact and reference)`, () => {
    for (const classes of name === "mobilenetv2" ? [100] : [10, 100]) {
      const opts = name.startsWith("lenet") ? { classes } : { ...SMALL, inputSize: name === "mobilenetv2" ? 32 : 16, classes };
      const spec = buildArchitecture(name, opts);
      const dag = archToDag(spec);
      const { weights, masks } = randomNet(spec, 0.1, 7);
      for (const identityShortcuts of [false, true]) {
        const a = encodeMge(spec, masks, { weights, alignment: "exact", identityShortcuts });
        const b = encodeDagMge(dag, masks, { weights, alignment: "exact", identityShortcuts });
        assert.deepEqual(b.partitions, a.partitions);
        assert.deepEqual(edgeFingerprint(b), edgeFingerprint(a));
      }
      const r = encodeDagMge(dag, masks, { weights, alignment: "reference" });
      assert.deepEqual(edgeFingerprint(r), edgeFingerprint(encodeMge(spec, masks, { weights, alignment: "reference" })));
      assert.equal(countDagMge(dag, masks, { alignment: "exact" }).nodes, countMge(spec, masks, { alignment: "exact" }).nodes);
    }
  });
}

const FIXTURES = ["resnet-20_er_0.9", "resnet-20_erk_0.98", "wide-resnet-28-2_er_0.98", "conv-6_erk_0.98"];
for (const name of FIXTURES) {
  test(`DAG path (reference alignment) reproduces the official fingerprint of ${name}`, () => {
    const file = referenceNetworkFile(name);
    const expected = readReferenceExpected(name) as unknown as { nodes: number; partitions: number[]; edge_fingerprint: Record<string, unknown> };
    const net = loadNetwork(file);
    const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
    const g = encodeDagMge(archToDag(spec), net.masks, { weights: net.weights, alignment: "reference" });
    assert.equal(g.numNodes, expected.nodes);
    assert.deepEqual(g.partitions.map((p) => p.size), expected.partitions);
    const fp = edgeFingerprint(g) as unknown as Record<string, unknown>;
    for (const key of Object.keys(expected.edge_fingerprint)) assert.equal(fp[key], expected.edge_fingerprint[key], key);
  });
}

test("general MGE refuses what it does not define, naming the node", () => {
  const input = { name: "input", channels: 2, height: 6, width: 6 };
  const conv = (name: string, x: string, stride = 1): DagNode => ({ name, op: { kind: "conv2d", weight: `${name}.weight`, inChannels: 2, outChannels: 2, kernel: [3, 3], stride: [stride, stride], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, bias: false, role: "conv" }, inputs: [x] });
  const w = (names: string[]): WeightMap => new Map(names.map((n) => [`${n}.weight`, { shape: [2, 2, 3, 3], data: new Float32Array(36).fill(1) }]));
  // An add of two existing node sets.
  const twoSets: DagSpec = { kind: "dag", name: "m", input, nodes: [conv("a", "input"), conv("b", "a"), { name: "sum", op: { kind: "add" }, inputs: ["a", "b"] }, conv("c", "sum"), conv("d", "b")], output: "c" };
  assert.throws(() => encodeDagMge(twoSets, null, { weights: w(["a", "b", "c", "d"]) }), /add 'sum'.*no operand is the output of a conv\/linear layer used only by this add/);
  // A conv after a flatten.
  const flat: DagSpec = { kind: "dag", name: "m", input, nodes: [conv("a", "input"), { name: "f", op: { kind: "flatten" }, inputs: ["a"] }, conv("b", "f")], output: "b" };
  assert.throws(() => encodeDagMge(flat, null, { weights: w(["a", "b"]) }), /node 'b' \(conv2d\): needs a \[C, H, W\] input/);
  // Shape mismatch at an add.
  const mismatch: DagSpec = { kind: "dag", name: "m", input, nodes: [conv("a", "input"), conv("b", "a", 2), { name: "s", op: { kind: "add" }, inputs: ["a", "b"] }], output: "s" };
  assert.throws(() => encodeDagMge(mismatch, null, { weights: w(["a", "b"]) }), /node 's' \(add\): operands a \[2, 6, 6\] and b \[2, 3, 3\] differ/);
  // Reference alignment outside the paper's family (a concat).
  const cat: DagSpec = { kind: "dag", name: "m", input, nodes: [conv("a", "input"), { name: "k", op: { kind: "concat" }, inputs: ["a", "input"] }, { name: "f", op: { kind: "flatten" }, inputs: ["k"] }, { name: "fc", op: { kind: "linear", weight: "fc.weight", inFeatures: 144, outFeatures: 2, bias: false }, inputs: ["f"] }], output: "fc" };
  assert.throws(() => encodeDagMge(cat, null, { weights: w(["a"]), alignment: "reference" }), /reference alignment is defined only for the paper's chain \+ residual-block architectures/);
  // A missing weight.
  assert.throws(() => encodeDagMge(cat, null, { weights: w(["a"]) }), /no weight or mask for 'fc.weight'/);
});
