/**
 * Cross-check of the spectral metrics against scipy (bench only; needs /usr/bin/python3 with numpy
 * and scipy): writes the simple undirected weighted view of a fixture MGE to a temporary folder,
 * then runs scipy.sparse.linalg.eigsh on it in float64 and in float32 (the reference's precision),
 * and prints both beside ours. Shows how far a float32 eigsh is from the float64 answer, i.e. what
 * agreement with the fixtures' float32 values is attainable.
 *
 *   node --import tsx bench/spectral-scipy-check.ts [fixture]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spectralGapOfView, spectralRadiusOfView } from "../src/metrics/spectral";
import { simpleUndirected } from "../src/encoding/undirected-simple";
import { buildCase, expectedOf } from "./mge-cases";

const name = process.argv[2] ?? "conv-6_erk_0.98";
const g = buildCase(name);
const view = simpleUndirected(g, true);
const dir = mkdtempSync(path.join(os.tmpdir(), "snn-spectral-"));
writeFileSync(path.join(dir, "offsets.bin"), Buffer.from(view.offsets.buffer, view.offsets.byteOffset, view.offsets.byteLength));
writeFileSync(path.join(dir, "neighbors.bin"), Buffer.from(view.neighbors.buffer, view.neighbors.byteOffset, view.neighbors.byteLength));
writeFileSync(path.join(dir, "weights.bin"), Buffer.from(view.weights.buffer, view.weights.byteOffset, view.weights.byteLength));
const py = `
import numpy as np, scipy.sparse as sp, scipy.sparse.linalg as la, sys, json, time
d = sys.argv[1]
off = np.fromfile(d + '/offsets.bin', dtype=np.int32)
nb = np.fromfile(d + '/neighbors.bin', dtype=np.int32)
w = np.fromfile(d + '/weights.bin', dtype=np.float32)
n = len(off) - 1
out = {}
for dt in ('float64', 'float32'):
    A = sp.csr_matrix((w.astype(dt), nb, off), shape=(n, n))
    t = time.perf_counter()
    v = la.eigsh(A, k=3, which='LM')[0]
    out['t_adj_' + dt] = [time.perf_counter() - t]
    out['adj_' + dt] = sorted([abs(float(x)) for x in v], reverse=True)
    deg = np.asarray(A.sum(axis=0)).ravel().astype(float)
    L = sp.diags(deg) - A
    t = time.perf_counter()
    lv = la.eigsh(L, k=2, which='LM')[0]
    out['t_lap_' + dt] = [time.perf_counter() - t]
    out['lap_' + dt] = sorted([float(x) for x in lv], reverse=True)
# The official construction: float32 A, degrees summed in float32 (csc sum(axis=0)), L in float64.
A32 = sp.csc_matrix(sp.csr_matrix((w, nb, off), shape=(n, n)))
deg = A32.sum(axis=0).A1.astype(float, casting='safe')
Lref = sp.csc_matrix(sp.diags(deg, 0, format='csr') - A32)
out['lap_reference'] = sorted([float(x) for x in la.eigsh(Lref, k=2, which='LM')[0]], reverse=True)
print(json.dumps(out))
`;
const r = spawnSync("/usr/bin/python3", ["-c", py, dir], { encoding: "utf8", maxBuffer: 1 << 24 });
if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
const sc = JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, number[]>;
let t0 = process.hrtime.bigint();
const ours = spectralGapOfView(view);
const tGap = Number(process.hrtime.bigint() - t0) / 1e9;
t0 = process.hrtime.bigint();
const rad = spectralRadiusOfView(view);
const tRad = Number(process.hrtime.bigint() - t0) / 1e9;
const exp = expectedOf(name);
const rel = (a: number[], b: number[]) => a.map((x, i) => ((x - b[i]) / b[0]).toExponential(1)).join(" ");
console.log(`${name}`);
console.log(`  ours (float64)          |λ| top-3 ${ours.top3AbsEigs.join(" ")}  Laplacian ${rad.top2.join(" ")}`);
console.log(`  scipy eigsh float64     |λ| top-3 ${sc.adj_float64.join(" ")}  Laplacian ${sc.lap_float64.join(" ")}`);
console.log(`  scipy eigsh float32     |λ| top-3 ${sc.adj_float32.join(" ")}  Laplacian ${sc.lap_float32.join(" ")}`);
console.log(`  scipy, official L build  Laplacian ${sc.lap_reference.join(" ")} (float32 A, float32 degree sums, float64 L)`);
if (exp) {
  console.log(`  fixture (official)      |λ| top-3 ${(exp.metrics_raw["adjacency_top3_abs_eigs"] as number[]).join(" ")}  Laplacian ${(exp.metrics_raw["laplacian_top2_eigs"] as number[]).join(" ")}`);
}
console.log(`  rel. diff ours − scipy64: adjacency ${rel([...ours.top3AbsEigs], sc.adj_float64)}; Laplacian ${rel([...rad.top2], sc.lap_float64)}`);
console.log(`  rel. diff scipy32 − scipy64: adjacency ${rel(sc.adj_float32, sc.adj_float64)}; Laplacian ${rel(sc.lap_float32, sc.lap_float64)}`);
console.log(`  seconds (same machine, same moment): ours gap ${tGap.toFixed(2)} radius ${tRad.toFixed(2)}; scipy float64 ${sc.t_adj_float64[0].toFixed(2)} / ${sc.t_lap_float64[0].toFixed(2)}; scipy float32 ${sc.t_adj_float32[0].toFixed(2)} / ${sc.t_lap_float32[0].toFixed(2)}`);
if (exp) {
  console.log(`  rel. diff fixture − scipy64: adjacency ${rel(exp.metrics_raw["adjacency_top3_abs_eigs"] as number[], sc.adj_float64)}; Laplacian ${rel(exp.metrics_raw["laplacian_top2_eigs"] as number[], sc.lap_float64)}`);
}
