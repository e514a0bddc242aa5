import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import { readReferenceExpected, referenceNetworkFile } from "../../src/metrics/reference";

const NAME = "resnet-20_erk_0.98";
const weights = referenceNetworkFile(NAME);

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(projectRoot(), "bin", "snn-topology.js"), "metrics", ...args], { encoding: "utf8", cwd: projectRoot() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("metrics --json prints one JSON object with the requested metrics equal to the fixture", () => {
  const exp = readReferenceExpected(NAME) as unknown as { nodes: number; edges: number; metrics_raw: Record<string, number> };
  const r = cli(["--arch", "resnet20", "--weights", weights, "--encoding", "mge", "--alignment", "reference", "--json",
    "--metrics", "sink_nodes,source_nodes,2-hop,k-core,cut-edges,cut-nodes,connected_components,motifs", "--motifs", "estimate", "--seed", "1"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const out = JSON.parse(lines[0]) as { nodes: number; edges: number; metrics: Record<string, number> };
  assert.equal(out.nodes, exp.nodes);
  assert.equal(out.edges, exp.edges);
  for (const k of ["sink_nodes", "source_nodes", "2-hop", "k-core", "cut-edges", "cut-nodes", "connected_components"]) assert.equal(out.metrics[k], exp.metrics_raw[k], k);
  assert.equal(Object.keys(out.metrics).length, 8);
  // the estimate is random: same order of magnitude as the official one
  const ratio = out.metrics.motifs / exp.metrics_raw.motifs;
  assert.ok(ratio > 0.05 && ratio < 20, `motif estimate ${out.metrics.motifs} vs official ${exp.metrics_raw.motifs}`);
});

test("metrics: bad options are errors naming the flag", () => {
  const r = cli(["--weights", weights, "--motifs", "approx"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--motifs must be 'estimate' or 'exact'/);
  const r2 = cli(["--weights", weights, "--metrics", "3-hop"]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /unknown metric '3-hop'/);
});
