/** `snn-topology encode` end to end (spawned), on a reference fixture and on seeded random masks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";
import { edgeFingerprint, readGraphBinary } from "../../src/encoding";
import { tempDir } from "../temp";

const bin = path.join(projectRoot(), "bin", "snn-topology.js");
const run = (args: string[]) => spawnSync(process.execPath, [bin, "encode", ...args], { encoding: "utf8", cwd: projectRoot() });
const fixture = referenceNetworkFile("resnet-20_erk_0.98");

test("encode --json on a fixture prints the official node/edge counts and partitions; --out .bin holds the same graph", () => {
  const expected = readReferenceExpected("resnet-20_erk_0.98") as unknown as { nodes: number; edges: number; partitions: number[]; edge_fingerprint: Record<string, string> };
  const dir = tempDir("snn-cli-");
  const out = path.join(dir, "g.bin");
  const r = run(["--weights", fixture, "--arch", "resnet20", "--input-size", "32", "--classes", "10", "--encoding", "mge", "--alignment", "reference", "--json", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.nodes, expected.nodes);
  assert.equal(j.edges, expected.edges);
  assert.deepEqual(j.partitions.map((p: { size: number }) => p.size), expected.partitions);
  const fp = edgeFingerprint(readGraphBinary(out));
  assert.equal(fp.sha256_sorted_edges_int64, expected.edge_fingerprint.sha256_sorted_edges_int64);
  assert.equal(fp.sha256_weights_float32_in_sorted_edge_order, expected.edge_fingerprint.sha256_weights_float32_in_sorted_edge_order);
});

test("encode --random-mask is deterministic per seed; BGE encodings list one entry per layer; bad options fail", () => {
  const small = ["--arch", "resnet20", "--width-multiplier", "0.25", "--input-size", "8", "--random-mask", "0.5", "--json"];
  const a = JSON.parse(run([...small, "--seed", "3"]).stdout);
  const b = JSON.parse(run([...small, "--seed", "3"]).stdout);
  const c = JSON.parse(run([...small, "--seed", "4"]).stdout);
  assert.deepEqual(a.edgesPerLayer, b.edgesPerLayer);
  assert.notDeepEqual(a.edgesPerLayer, c.edgesPerLayer);
  // Exactly half of the classifier's 160 weights are kept, each replicated over the 2×2 pooled map.
  assert.equal(a.edgesPerLayer.find((l: { layer: string }) => l.layer === "linear").edges, 80 * 4);
  const bge = JSON.parse(run(["--arch", "lenet5", "--random-mask", "0.5", "--encoding", "rolled-channel", "--json"]).stdout);
  assert.deepEqual(bge.layers.map((l: { layer: string; nodes: number }) => [l.layer, l.nodes]), [["conv1", 7], ["conv2", 22], ["fc1", 376], ["fc2", 204], ["fc3", 94]]);
  const counted = JSON.parse(run([...small, "--seed", "3", "--count-only"]).stdout);
  assert.equal(counted.edges, a.edges);
  assert.deepEqual(counted.partitions, a.partitions);
  const bad = run(["--arch", "lenet5", "--random-mask", "0.5", "--alignment", "sideways"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--alignment must be reference or exact, got 'sideways'/);
  const none = run(["--arch", "lenet5"]);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /give exactly one of --weights FILE or --random-mask/);
});
