import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot, referenceFixturesDir } from "../../src/io/paths";

const fixture = path.join(referenceFixturesDir(), "resnet-20_erk_0.98");
const have = existsSync(`${fixture}.safetensors`);

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(projectRoot(), "bin", "snn-topology.js"), "metrics", ...args], { encoding: "utf8", cwd: projectRoot() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("metrics --json prints one JSON object with the requested metrics equal to the fixture", { skip: !have && "fixtures not found" }, () => {
  const exp = JSON.parse(readFileSync(`${fixture}.expected.json`, "utf8")) as { nodes: number; edges: number; metrics_raw: Record<string, number> };
  const r = cli(["--arch", "resnet20", "--weights", `${fixture}.safetensors`, "--encoding", "mge", "--alignment", "reference", "--json",
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

test("metrics: bad options are errors naming the flag", { skip: !have && "fixtures not found" }, () => {
  const r = cli(["--weights", `${fixture}.safetensors`, "--motifs", "approx"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--motifs must be 'estimate' or 'exact'/);
  const r2 = cli(["--weights", `${fixture}.safetensors`, "--metrics", "3-hop"]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /unknown metric '3-hop'/);
});
