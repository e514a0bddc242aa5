/** `snn-topology draw` end to end (spawned) on a small seeded random ResNet-20, both alignments. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { projectRoot } from "../../src/io/paths";
import { buildArchitecture, randomSparseNetwork } from "../../src/nn/index";
import { encodeMge, inDegrees, partitionOf } from "../../src/encoding/index";

const bin = path.join(projectRoot(), "bin", "snn-topology.js");
const run = (args: string[]) => spawnSync(process.execPath, [bin, "draw", ...args], { encoding: "utf8", cwd: projectRoot() });
const small = ["--arch", "resnet20", "--width-multiplier", "0.25", "--input-size", "8", "--random-mask", "0.5", "--seed", "2"];

interface Legend { key: string; count: number }

test("draw writes a PNG of the asked size; its legend counts intra-partition edges, shortcuts, sinks and sources as the graph has them", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-draw-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = buildArchitecture("resnet20", { widthMultiplier: 0.25, inputSize: 8 });
  const net = randomSparseNetwork(spec, 0.5, 2);
  for (const alignment of ["reference", "exact"] as const) {
    const out = path.join(dir, `${alignment}.png`);
    const r = run([...small, "--alignment", alignment, "--width", "600", "--height", "200", "--highlight", "sinks,sources", "--json", "--quiet", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { legend: Legend[]; edges: number };
    const png = PNG.sync.read(readFileSync(out));
    assert.equal(png.width, 600);
    assert.equal(png.height, 200);
    // Independent counts from the graph itself.
    const g = encodeMge(spec, net.masks, { weights: net.weights, alignment });
    const indeg = inDegrees(g);
    let intra = 0;
    let skip = 0;
    for (let u = 0; u < g.numNodes; u++) {
      const pu = partitionOf(g, u);
      for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
        const pv = partitionOf(g, g.targets[e]);
        if (pv === pu) intra++;
        else if (pv !== pu + 1) skip++;
      }
    }
    const lastStart = g.partitions[g.partitions.length - 1].start;
    let sinks = 0;
    let sources = 0;
    for (let v = 0; v < g.numNodes; v++) {
      const out = g.offsets[v + 1] - g.offsets[v];
      if (out === 0 && indeg[v] > 0 && v < lastStart) sinks++;
      if (out > 0 && indeg[v] === 0 && v >= g.partitions[0].size) sources++;
    }
    const count = (k: string) => j.legend.find((l) => l.key === k)?.count;
    assert.equal(j.edges, g.numEdges);
    assert.equal(count("intra"), intra);
    assert.equal(count("skip"), skip);
    assert.equal(count("main"), g.numEdges - intra - skip);
    assert.equal(count("sinks"), sinks);
    assert.equal(count("sources"), sources);
    // The official stride-2 shift puts edges inside partitions; the exact wiring has none.
    if (alignment === "reference") assert.ok(intra > 0, "reference alignment has intra-partition edges");
    else assert.equal(intra, 0);
    assert.ok(skip > 0, "projection shortcuts are drawn");
  }
});

test("draw refuses bad options with a named error", () => {
  const cases: [string[], RegExp][] = [
    [[...small], /--out FILE.png is required/],
    [[...small, "--out", "x.jpg"], /--out must end in .png/],
    [[...small, "--out", "x.png", "--highlight", "sinks,bogus"], /unknown highlight 'bogus'/],
    [[...small, "--out", "x.png", "--alignment", "sideways"], /--alignment must be reference or exact/],
    [[...small, "--out", "x.png", "--width=-3"], /--width must be a number/],
    [["--arch", "resnet20", "--out", "x.png"], /give exactly one of --weights FILE or --random-mask/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, re);
  }
});
