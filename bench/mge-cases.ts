/**
 * Graphs for the spectral and motif benchmarks: the MGE (reference alignment) of each reference
 * fixture, and a Conv-6 pruned uniformly at 0.6 (≈ 96 M edges, Kaiming-normal weights, seed 0).
 * Each benchmark case runs in its own child process so that its peak RSS is its own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { referenceFixturesDir } from "../src/io/paths";
import { referenceNetworkFile } from "../src/metrics/reference";
import { loadNetwork } from "../src/nn/network-file";
import { buildArchitecture } from "../src/nn";
import { encodeMge } from "../src/encoding";
import type { CsrGraph } from "../src/encoding/csr";
import { prunableLayers } from "../src/pruning/layers";
import { pruneUniform } from "../src/pruning/uniform";
import type { WeightMap } from "../src/nn/tensors";
import { numel } from "../src/nn/tensors";
import { Rng } from "../src/util/rng";

export const FIXTURES = ["resnet-20_erk_0.98", "resnet-20_er_0.9", "wide-resnet-28-2_er_0.98", "conv-6_erk_0.98"];
export const CONV6_UNIFORM = "conv-6_uniform_0.6";

export interface Expected {
  metrics_raw: Record<string, number | number[] | string>;
  motifs_exact: { connected_induced_3: number; connected_induced_4: number };
  reference_seconds: Record<string, number>;
  reference_peak_rss_mib: number;
}

export function expectedOf(name: string): Expected | null {
  const f = path.join(referenceFixturesDir(), `${name}.expected.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as Expected) : null;
}

export function buildCase(name: string): CsrGraph {
  if (name === CONV6_UNIFORM) {
    const spec = buildArchitecture("conv6", { inputSize: 32, classes: 10 });
    const layers = prunableLayers(spec);
    const masks = pruneUniform(layers, 0.6, { seed: 0 }).masks;
    const rng = new Rng(0);
    const weights: WeightMap = new Map();
    for (const l of layers) {
      const n = numel(l.shape);
      const fanIn = numel(l.shape.slice(1));
      const std = Math.sqrt(2 / fanIn);
      const data = new Float32Array(n);
      const m = masks.get(l.name);
      for (let i = 0; i < n; i++) data[i] = m && m.data[i] ? rng.normal() * std : 0;
      weights.set(l.name, { shape: l.shape, data });
    }
    return encodeMge(spec, masks, { weights, alignment: "reference" });
  }
  const net = loadNetwork(referenceNetworkFile(name));
  const spec = buildArchitecture(net.metadata.architecture, { inputSize: Number(net.metadata.input_size), classes: Number(net.metadata.classes) });
  return encodeMge(spec, net.masks, { weights: net.weights, alignment: "reference" });
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs `script --case <name>` in a child per case and returns the JSON each printed last. */
export function runCases(script: string, names: readonly string[], extra: readonly string[] = []): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const name of names) {
    const r = spawnSync(process.execPath, [...process.execArgv, script, "--case", name, ...extra], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 24,
    });
    const lines = (r.stdout ?? "").trim().split("\n");
    const last = lines[lines.length - 1];
    try {
      out.push(JSON.parse(last) as Record<string, unknown>);
    } catch {
      out.push({ name, error: `exit ${r.status}: ${last}` });
    }
  }
  return out;
}
