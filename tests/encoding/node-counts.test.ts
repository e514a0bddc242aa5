/**
 * MGE sizes against the numbers measured on the official builder and the paper's data
 * (reference-notes §1.5 table and partition lists, Appendix B.1), and the derived dense Conv-6
 * edge count (§1.5 worked example).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildArchitecture, conv6, resnet20 } from "../../src/nn";
import { countMge, encodeMge, inDegrees, outDegrees } from "../../src/encoding";
import { denseMasks, randomNet, checkCsr } from "./helpers";

const NODES: [string, number][] = [
  ["conv6", 233_366],
  ["resnet20", 191_894],
  ["resnet32", 306_582],
  ["wrn28-2", 478_614],
  ["mobilenetv2", 1_676_182],
];

test("MGE node counts of the five architectures (CIFAR-10, and +90 for CIFAR-100), both alignments", () => {
  for (const [name, n] of NODES) {
    for (const alignment of ["reference", "exact"] as const) {
      for (const [classes, extra] of [[10, 0], [100, 90], [200, 190]]) {
        const spec = buildArchitecture(name, { classes });
        const c = countMge(spec, randomNet(spec, 0.01, 1).masks, { alignment });
        assert.equal(c.nodes, n + extra, `${name} ${alignment} ${classes}`);
        assert.equal(c.partitions.reduce((a, p) => a + p.size, 0), c.nodes);
      }
    }
  }
});

test("partition sizes (the official `dimension` list)", () => {
  const sizes = (name: string) => countMge(buildArchitecture(name), denseMasks(buildArchitecture(name))).partitions.map((p) => p.size);
  assert.deepEqual(sizes("resnet20"), [3468, ...Array(7).fill(16384), ...Array(6).fill(8192), ...Array(6).fill(4096), 10]);
  assert.deepEqual(sizes("conv6"), [3468, 65536, 65536, 32768, 32768, 16384, 16384, 256, 256, 10]);
  assert.deepEqual(sizes("wrn28-2"), [3468, 16384, ...Array(8).fill(32768), ...Array(8).fill(16384), ...Array(8).fill(8192), 10]);
  const p = countMge(conv6(), denseMasks(conv6())).partitions;
  assert.deepEqual([p[0].channels, p[0].height, p[0].width, p[0].name], [3, 34, 34, "input"]);
  assert.deepEqual([p[3].channels, p[3].height, p[3].width, p[3].name], [128, 16, 16, "convs1.7"]);
});

test("dense Conv-6 on CIFAR-10 has 241,388,032 MGE edges, with the derived per-layer counts", () => {
  const c = countMge(conv6(), denseMasks(conv6()));
  assert.equal(c.edges, 241_388_032);
  assert.deepEqual(
    c.edgesPerLayer.map((l) => l.edges),
    [1_769_472, 36_192_256, 69_337_088, 34_668_544, 63_438_848, 31_719_424, 4_194_304, 65_536, 2_560],
  );
  // E = c_in·c_out·(3I − 2)² for a dense stride-1 3×3 conv that is not the first layer.
  assert.equal(c.edgesPerLayer[1].edges, 64 * 64 * (3 * 32 - 2) ** 2);
  assert.equal(countMge(conv6(), denseMasks(conv6()), { alignment: "exact" }).edges, 241_388_032);
});

test("dense ResNet-20, reference alignment: the official stride-2 quirk (Appendix B.1)", () => {
  const spec = resnet20();
  const g = encodeMge(spec, denseMasks(spec), { alignment: "reference" });
  checkCsr(g);
  const part = new Int32Array(g.numNodes);
  g.partitions.forEach((p, i) => part.fill(i, p.start, p.start + p.size));
  let intra7 = 0;
  let intra13 = 0;
  let otherIntra = 0;
  for (let v = 0; v < g.numNodes; v++) {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      if (part[v] !== part[g.targets[e]]) continue;
      if (part[v] === 7) intra7++;
      else if (part[v] === 13) intra13++;
      else otherIntra++;
    }
  }
  assert.equal(intra7, 133_952);
  assert.equal(intra13, 240_064);
  assert.equal(otherIntra, 0);
  const din = inDegrees(g);
  const dout = outDegrees(g);
  const countZero = (d: Int32Array, p: number) => {
    let n = 0;
    const q = g.partitions[p];
    for (let v = q.start; v < q.start + q.size; v++) if (d[v] === 0) n++;
    return n;
  };
  assert.equal(countZero(din, 8), 1008);
  assert.equal(countZero(din, 14), 992);
  assert.equal(countZero(dout, 7), 760);
  assert.equal(countZero(dout, 13), 744);
  // The exact alignment has no intra-partition edges and no structural sources beyond the input.
  const x = encodeMge(spec, denseMasks(spec), { alignment: "exact" });
  checkCsr(x);
  const dinx = inDegrees(x);
  let sources = 0;
  for (let v = x.partitions[1].start; v < x.numNodes; v++) if (dinx[v] === 0) sources++;
  assert.equal(sources, 0);
  let backwards = 0;
  for (let v = 0; v < x.numNodes; v++) for (let e = x.offsets[v]; e < x.offsets[v + 1]; e++) if (x.targets[e] <= v) backwards++;
  assert.equal(backwards, 0);
  // Exact keeps the real last row/column the reference drops, so it has more edges at stride 2.
  assert.ok(x.numEdges > g.numEdges);
});

test("dense MobileNetV2, reference alignment: 23,664 structural sources and sinks, as in every er/erk 0.8 row of unrolled.csv", () => {
  const { mobilenetv2 } = require("../../src/nn") as typeof import("../../src/nn");
  const spec = mobilenetv2();
  const g = encodeMge(spec, denseMasks(spec), { alignment: "reference" });
  // Stride-2 depthwise convs on 144×32², 192×16², 576×8² maps shift c·(2I − 1) nodes each.
  const shifted = 144 * 63 + 192 * 31 + 576 * 15;
  assert.equal(shifted, 23_664);
  const din = inDegrees(g);
  const dout = outDegrees(g);
  let sources = 0;
  let sinks = 0;
  for (let v = g.partitions[0].size; v < g.numNodes; v++) if (din[v] === 0) sources++;
  for (let v = 0; v < g.partitions[g.partitions.length - 1].start; v++) if (dout[v] === 0) sinks++;
  assert.equal(sources, shifted);
  assert.equal(sinks, shifted);
  // Shortcut edges run from the block input to the block output (p → p + 3 in the inverted residuals).
  const sc = g.edgesPerLayer.filter((l) => l.role === "residual");
  assert.deepEqual(sc.map((l) => [l.layer, l.targetPartition - l.sourcePartition]), [["layers.0.shortcut.0", 3], ["layers.1.shortcut.0", 3], ["layers.10.shortcut.0", 3], ["layers.16.shortcut.0", 3]]);
  assert.equal(sc[0].edges, 32 * 16 * 32 * 32);
});
