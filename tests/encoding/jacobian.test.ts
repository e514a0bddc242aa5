/**
 * The unrolled encodings against an independent oracle: a brute-force direct convolution (plain
 * loops over the PyTorch definition) whose Jacobian — the network is linear without biases and
 * activations — is read column by column from one-hot inputs. An edge must exist exactly where the
 * Jacobian is nonzero, with weight |w| (reference-notes §1.3, §1.5).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ArchSpec, Conv2dSpec, LayerSpec } from "../../src/nn/spec";
import { encodeUnrolledLayer, encodeMge, countMge, edgeFingerprint } from "../../src/encoding";
import { Rng } from "../../src/util/rng";
import { edgeMap, randomNet, checkCsr, denseLinear as linear } from "./helpers";

/** Direct convolution, input [C, H, H] (no padding added here: callers pass `pad`). */
function conv(x: Float64Array, C: number, H: number, w: Float32Array, cout: number, k: number, s: number, pad: number, groups: number): { y: Float64Array; O: number } {
  const O = Math.floor((H + 2 * pad - k) / s) + 1;
  const y = new Float64Array(cout * O * O);
  const cinG = C / groups;
  const outG = cout / groups;
  for (let c = 0; c < cout; c++) {
    const g = Math.floor(c / outG);
    for (let r = 0; r < O; r++) {
      for (let q = 0; q < O; q++) {
        let acc = 0;
        for (let jj = 0; jj < cinG; jj++) {
          const j = g * cinG + jj;
          for (let a = 0; a < k; a++) {
            for (let b = 0; b < k; b++) {
              const yy = r * s + a - pad;
              const xx = q * s + b - pad;
              if (yy < 0 || yy >= H || xx < 0 || xx >= H) continue;
              acc += w[((c * cinG + jj) * k + a) * k + b] * x[(j * H + yy) * H + xx];
            }
          }
        }
        y[(c * O + r) * O + q] = acc;
      }
    }
  }
  return { y, O };
}

function avgpool(x: Float64Array, C: number, H: number, k: number, s: number): { y: Float64Array; O: number } {
  const O = Math.floor((H - k) / s) + 1;
  const y = new Float64Array(C * O * O);
  for (let c = 0; c < C; c++)
    for (let r = 0; r < O; r++)
      for (let q = 0; q < O; q++) {
        let acc = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) acc += x[(c * H + r * s + a) * H + q * s + b];
        y[(c * O + r) * O + q] = acc / (k * k);
      }
  return { y, O };
}

/** Jacobian of a linear map f: R^n → R^m as (i, j, value) for the nonzero entries ∂f_j/∂x_i. */
function jacobian(n: number, f: (x: Float64Array) => Float64Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const x = new Float64Array(n);
    x[i] = 1;
    const y = f(x);
    for (let j = 0; j < y.length; j++) if (y[j] !== 0) out.push([i, j, y[j]]);
  }
  return out;
}

function randomLayer(rng: Rng, l: Conv2dSpec, density: number): { w: Float32Array; m: Uint8Array; shape: number[] } {
  const shape = [l.outChannels, l.inChannels / l.groups, l.kernel, l.kernel];
  const n = shape.reduce((a, b) => a * b, 1);
  const w = new Float32Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = rng.next() < density ? 1 : 0;
    w[i] = m[i] ? rng.normal() : 0;
  }
  return { w, m, shape };
}

function convSpec(name: string, cin: number, cout: number, k: number, s: number, p: number, groups = 1, role: "conv" | "residual" = "conv"): Conv2dSpec {
  return { kind: "conv2d", name, inChannels: cin, outChannels: cout, kernel: k, stride: s, padding: p, groups, bias: false, role };
}

const CASES: [number, number, number, number, number, number, number][] = [
  // I, k, s, p, cin, cout, groups
  [7, 3, 1, 1, 3, 4, 1],
  [8, 3, 2, 1, 3, 5, 1],
  [9, 3, 2, 1, 2, 3, 1],
  [8, 3, 2, 0, 2, 3, 1],
  [8, 1, 2, 0, 3, 2, 1],
  [6, 5, 1, 2, 2, 2, 1],
  [7, 3, 3, 1, 2, 2, 1],
  [8, 3, 2, 1, 4, 4, 4],
  [7, 3, 1, 1, 3, 3, 3],
  [6, 3, 1, 0, 3, 6, 3],
];

test("unrolled BGE of one conv layer = nonzero pattern of the brute-force Jacobian (random masks)", () => {
  const rng = new Rng(7);
  for (const [I, k, s, p, cin, cout, groups] of CASES) {
    for (const density of [0.3, 0.7, 1]) {
      const l = convSpec("c", cin, cout, k, s, p, groups);
      const { w, m, shape } = randomLayer(rng, l, density);
      const label = `I=${I} k=${k} s=${s} p=${p} ${cin}->${cout} g=${groups} d=${density}`;
      // Without padding nodes: left = the real input.
      const g = encodeUnrolledLayer(l, I, { shape, data: m }, { weight: { shape, data: w }, keepPadding: false, weightPrecision: "float32" });
      checkCsr(g);
      const leftN = cin * I * I;
      assert.equal(g.partitions[0].size, leftN, label);
      const J = jacobian(leftN, (x) => conv(x, cin, I, w, cout, k, s, p, groups).y);
      const em = edgeMap(g);
      assert.equal(em.size, J.length, label);
      for (const [i, j, v] of J) assert.equal(em.get(`${i}>${leftN + j}`), Math.fround(Math.abs(v)), `${label} edge ${i}->${j}`);
      // With padding nodes (§1.3): Jacobian with respect to the padded (and trimmed) input.
      const O = Math.floor((I + 2 * p - k) / s) + 1;
      let P = I + 2 * p;
      if ((P - k) % s !== 0) P = (O - 1) * s + k;
      const gp = encodeUnrolledLayer(l, I, { shape, data: m }, { weight: { shape, data: w }, weightPrecision: "float32" });
      checkCsr(gp);
      assert.equal(gp.partitions[0].size, cin * P * P, label);
      const Jp = jacobian(cin * P * P, (x) => conv(x, cin, P, w, cout, k, s, 0, groups).y);
      const emp = edgeMap(gp);
      assert.equal(emp.size, Jp.length, label);
      for (const [i, j, v] of Jp) assert.equal(emp.get(`${i}>${cin * P * P + j}`), Math.fround(Math.abs(v)), label);
    }
  }
});

/** A two-stage network: conv; a stride-2 block with a projection shortcut; a block with an identity shortcut; GAP; fc. */
function residualNet(): ArchSpec {
  const body = (p: string, cin: number, cout: number, s: number): LayerSpec[] => [convSpec(`${p}.conv1`, cin, cout, 3, s, 1), { kind: "relu" }, convSpec(`${p}.conv2`, cout, cout, 3, 1, 1)];
  return {
    name: "tiny-resnet",
    inputChannels: 3,
    inputSize: 8,
    classes: 3,
    layers: [
      convSpec("conv1", 3, 4, 3, 1, 1),
      { kind: "residual", name: "b1", pre: [], body: body("b1", 4, 6, 2), shortcut: [convSpec("b1.shortcut.0", 4, 6, 1, 2, 0, 1, "residual")], shortcutFromPre: false, post: [] },
      { kind: "residual", name: "b2", pre: [], body: body("b2", 6, 6, 1), shortcut: [], shortcutFromPre: false, post: [] },
      { kind: "globalavgpool" },
      { kind: "flatten" },
      { kind: "linear", name: "fc", inFeatures: 6, outFeatures: 3, bias: false },
    ],
  };
}

/** Conv → avg-pool → conv → max-pool → flatten → fc → fc (the Conv-6 path, small). */
function pooledNet(): ArchSpec {
  return {
    name: "tiny-conv",
    inputChannels: 2,
    inputSize: 8,
    classes: 3,
    layers: [
      convSpec("c1", 2, 3, 3, 1, 1),
      { kind: "avgpool", kernel: 2, stride: 2, padding: 0 },
      convSpec("c2", 3, 4, 3, 1, 1),
      { kind: "maxpool", kernel: 2, stride: 2, padding: 0 },
      { kind: "flatten" },
      { kind: "linear", name: "fc1", inFeatures: 16, outFeatures: 5, bias: false },
      { kind: "linear", name: "fc2", inFeatures: 5, outFeatures: 3, bias: false },
    ],
  };
}

/** Adds the Jacobian of one layer between two partitions to the expected edge map (weight |J|·scale). */
function addLayer(expected: Map<string, number>, J: [number, number, number][], srcStart: number, tgtStart: number, scale: number): void {
  for (const [i, j, v] of J) {
    const k = `${srcStart + i}>${tgtStart + j}`;
    assert.ok(!expected.has(k), `two layers give edge ${k}`);
    expected.set(k, Math.fround(Math.abs(v) * scale));
  }
}

/** Nodes reachable from `s` in the graph (iterative DFS). */
function reach(g: ReturnType<typeof encodeMge>, s: number): Set<number> {
  const seen = new Set<number>([s]);
  const stack = [s];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      const t = g.targets[e];
      if (!seen.has(t)) {
        seen.add(t);
        stack.push(t);
      }
    }
  }
  return seen;
}

function assertEdgesAndReachability(g: ReturnType<typeof encodeMge>, expected: Map<string, number>, network: (x: Float64Array) => Float64Array): void {
  const em = edgeMap(g);
  assert.equal(em.size, expected.size);
  for (const [k, v] of expected) {
    const got = em.get(k);
    assert.ok(got !== undefined, `missing edge ${k}`);
    assert.ok(Math.abs(got - v) <= 1e-6 * Math.max(1, v), `edge ${k}: ${got} vs ${v}`);
  }
  // End to end: an input node reaches an output node iff the network's Jacobian entry is nonzero.
  const inP = g.partitions[0];
  const outP = g.partitions[g.partitions.length - 1];
  const J = jacobian(inP.size, network);
  const nz = new Set(J.map(([i, j]) => `${i}>${j}`));
  for (let i = 0; i < inP.size; i++) {
    const r = reach(g, inP.start + i);
    for (let j = 0; j < outP.size; j++) assert.equal(r.has(outP.start + j), nz.has(`${i}>${j}`), `input ${i} -> output ${j}`);
  }
}

test("exact alignment, stride-2 block with projection shortcut + identity shortcut: every edge is a Jacobian entry, end to end", () => {
  const spec = residualNet();
  for (const seed of [1, 2, 3]) {
    for (const density of [0.35, 0.8]) {
      const { weights, masks } = randomNet(spec, density, seed);
      const W = (n: string) => (weights.get(`${n}.weight`) as { data: Float32Array }).data;
      const g = encodeMge(spec, masks, { weights, alignment: "exact", identityShortcuts: true, weightPrecision: "float32" });
      checkCsr(g);
      assert.deepEqual(g.partitions.map((p) => [p.name, p.size]), [["input", 300], ["conv1", 256], ["b1.conv1", 96], ["b1.conv2", 96], ["b2.conv1", 96], ["b2.conv2", 96], ["fc", 3]]);
      const st = g.partitions.map((p) => p.start);
      const exp = new Map<string, number>();
      addLayer(exp, jacobian(300, (x) => conv(x, 3, 10, W("conv1"), 4, 3, 1, 0, 1).y), st[0], st[1], 1);
      addLayer(exp, jacobian(256, (x) => conv(x, 4, 8, W("b1.conv1"), 6, 3, 2, 1, 1).y), st[1], st[2], 1);
      addLayer(exp, jacobian(96, (x) => conv(x, 6, 4, W("b1.conv2"), 6, 3, 1, 1, 1).y), st[2], st[3], 1);
      addLayer(exp, jacobian(256, (x) => conv(x, 4, 8, W("b1.shortcut.0"), 6, 1, 2, 0, 1).y), st[1], st[3], 1);
      addLayer(exp, jacobian(96, (x) => conv(x, 6, 4, W("b2.conv1"), 6, 3, 1, 1, 1).y), st[3], st[4], 1);
      addLayer(exp, jacobian(96, (x) => conv(x, 6, 4, W("b2.conv2"), 6, 3, 1, 1, 1).y), st[4], st[5], 1);
      addLayer(exp, jacobian(96, (x) => x), st[3], st[5], 1);
      addLayer(exp, jacobian(96, (x) => linear(avgpool(x, 6, 4, 4, 4).y, W("fc"), 3)), st[5], st[6], 16);
      const network = (xpad: Float64Array): Float64Array => {
        const a1 = conv(xpad, 3, 10, W("conv1"), 4, 3, 1, 0, 1).y;
        const b = conv(conv(a1, 4, 8, W("b1.conv1"), 6, 3, 2, 1, 1).y, 6, 4, W("b1.conv2"), 6, 3, 1, 1, 1).y;
        const sc = conv(a1, 4, 8, W("b1.shortcut.0"), 6, 1, 2, 0, 1).y;
        const o1 = b.map((v, i) => v + sc[i]);
        const c = conv(conv(o1, 6, 4, W("b2.conv1"), 6, 3, 1, 1, 1).y, 6, 4, W("b2.conv2"), 6, 3, 1, 1, 1).y;
        const o2 = c.map((v, i) => v + o1[i]);
        return linear(avgpool(o2, 6, 4, 4, 4).y, W("fc"), 3);
      };
      assertEdgesAndReachability(g, exp, network);
      // countMge agrees with the materialised graph.
      assert.equal(countMge(spec, masks, { alignment: "exact", identityShortcuts: true }).edges, g.numEdges);
      // The reference alignment differs at stride 2 (intra-partition edges), with the same nodes.
      const r = encodeMge(spec, masks, { weights, alignment: "reference", weightPrecision: "float32" });
      assert.equal(r.numNodes, g.numNodes);
      assert.equal(countMge(spec, masks, { alignment: "reference" }).edges, r.numEdges);
      let intra = 0;
      for (let v = st[1]; v < st[2]; v++) for (let e = r.offsets[v]; e < r.offsets[v + 1]; e++) if (r.targets[e] < st[2]) intra++;
      if (density > 0.5) assert.ok(intra > 0, "reference alignment has intra-partition edges at the stride-2 conv");
    }
  }
});

test("exact alignment with pooling folded into the next conv and linear: Jacobian edges, end to end; reference = exact at stride 1", () => {
  const spec = pooledNet();
  for (const seed of [4, 5]) {
    const { weights, masks } = randomNet(spec, 0.5, seed);
    const W = (n: string) => (weights.get(`${n}.weight`) as { data: Float32Array }).data;
    const g = encodeMge(spec, masks, { weights, alignment: "exact", weightPrecision: "float32" });
    checkCsr(g);
    const st = g.partitions.map((p) => p.start);
    assert.deepEqual(g.partitions.map((p) => p.size), [200, 192, 64, 5, 3]);
    const exp = new Map<string, number>();
    addLayer(exp, jacobian(200, (x) => conv(x, 2, 10, W("c1"), 3, 3, 1, 0, 1).y), st[0], st[1], 1);
    addLayer(exp, jacobian(192, (x) => conv(avgpool(x, 3, 8, 2, 2).y, 3, 4, W("c2"), 4, 3, 1, 1, 1).y), st[1], st[2], 4);
    addLayer(exp, jacobian(64, (x) => linear(avgpool(x, 4, 4, 2, 2).y, W("fc1"), 5)), st[2], st[3], 4);
    addLayer(exp, jacobian(5, (x) => linear(x, W("fc2"), 3)), st[3], st[4], 1);
    const network = (x: Float64Array): Float64Array => {
      const a = conv(x, 2, 10, W("c1"), 3, 3, 1, 0, 1).y;
      const b = conv(avgpool(a, 3, 8, 2, 2).y, 3, 4, W("c2"), 4, 3, 1, 1, 1).y;
      return linear(linear(avgpool(b, 4, 4, 2, 2).y, W("fc1"), 5), W("fc2"), 3);
    };
    assertEdgesAndReachability(g, exp, network);
    const r = encodeMge(spec, masks, { weights, alignment: "reference", weightPrecision: "float32" });
    assert.deepEqual(edgeFingerprint(r), edgeFingerprint(g));
    assert.equal(countMge(spec, masks).edges, g.numEdges);
  }
});

test("countMge agrees with the materialised MGE on random sparse architectures, both alignments", () => {
  for (const [name, opts] of [["resnet20", { widthMultiplier: 0.25, inputSize: 16 }], ["wrn28-2", { widthMultiplier: 0.25, inputSize: 16 }], ["mobilenetv2", { widthMultiplier: 0.25 }], ["lenet5", {}], ["lenet300-100", {}], ["conv6", { widthMultiplier: 0.25, inputSize: 16 }]] as const) {
    const { buildArchitecture } = require("../../src/nn") as typeof import("../../src/nn");
    const spec = buildArchitecture(name, opts);
    const { weights, masks } = randomNet(spec, 0.2, 11);
    for (const alignment of ["reference", "exact"] as const) {
      for (const identityShortcuts of [false, true]) {
        const g = encodeMge(spec, masks, { weights, alignment, identityShortcuts });
        checkCsr(g);
        const c = countMge(spec, masks, { alignment, identityShortcuts });
        assert.equal(c.edges, g.numEdges, `${name} ${alignment}`);
        assert.equal(c.nodes, g.numNodes);
        assert.deepEqual(c.edgesPerLayer, g.edgesPerLayer);
      }
    }
  }
});
