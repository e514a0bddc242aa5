/**
 * Benchmark: spectral gap and Laplacian radius (src/metrics/spectral.ts) on the MGE of the
 * reference fixtures (and, with --conv6, Conv-6 uniform 0.6 ≈ 96 M edges), against the official
 * timings in each expected.json (`metric:as_undirected+to_directed` + `metric:spectral-gap` +
 * `metric:spectral-radius`, scipy eigsh/ARPACK on a 2-core machine of this kind).
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/spectral.ts [--conv6] [--verify] [names…]
 */
import { largestMagnitudeEigenvalues } from "../src/metrics/eigen";
import { adjacencyOperator, laplacianOperator } from "../src/metrics/spectral";
import { simpleUndirected } from "../src/encoding/undirected-simple";
import { buildCase, CONV6_UNIFORM, expectedOf, FIXTURES, peakRssMiB, runCases } from "./mge-cases";

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function runOne(name: string, verify: boolean): void {
  let t = process.hrtime.bigint();
  const g = buildCase(name);
  const encode = seconds(t);
  t = process.hrtime.bigint();
  const view = simpleUndirected(g, true);
  const undirected = seconds(t);
  t = process.hrtime.bigint();
  const a = largestMagnitudeEigenvalues(adjacencyOperator(view), { k: 3, verify });
  const gapS = seconds(t);
  t = process.hrtime.bigint();
  const l = largestMagnitudeEigenvalues(laplacianOperator(view), { k: 2, verify });
  const radS = seconds(t);
  const abs = Array.from(a.values, Math.abs).sort((x, y) => y - x);
  const lap = Array.from(l.values).sort((x, y) => y - x);
  const exp = expectedOf(name);
  let relAdj: number | null = null;
  let relLap: number | null = null;
  let ref: number | null = null;
  if (exp) {
    const wa = exp.metrics_raw["adjacency_top3_abs_eigs"] as number[];
    const wl = exp.metrics_raw["laplacian_top2_eigs"] as number[];
    relAdj = Math.max(...abs.map((x, i) => Math.abs(x - wa[i]) / wa[0]));
    relLap = Math.max(...lap.map((x, i) => Math.abs(x - wl[i]) / wl[0]));
    const rs = exp.reference_seconds;
    ref = rs["metric:as_undirected+to_directed"] + rs["metric:spectral-gap"] + rs["metric:spectral-radius"];
  }
  console.log(
    JSON.stringify({
      name,
      nodes: g.numNodes,
      edges: g.numEdges,
      encodeS: encode,
      undirectedS: undirected,
      gapS,
      radiusS: radS,
      gapMatvecs: a.matvecs,
      radiusMatvecs: l.matvecs,
      top3: abs,
      top2: lap,
      relErrAdjacency: relAdj,
      relErrLaplacian: relLap,
      oursS: undirected + gapS + radS,
      referenceS: ref,
      referenceGapS: exp ? exp.reference_seconds["metric:spectral-gap"] : null,
      referenceRadiusS: exp ? exp.reference_seconds["metric:spectral-radius"] : null,
      peakRssMiB: peakRssMiB(),
      referencePeakRssMiB: exp ? exp.reference_peak_rss_mib : null,
    }),
  );
}

function main(): void {
  const argv = process.argv.slice(2);
  const verify = argv.includes("--verify");
  const ci = argv.indexOf("--case");
  if (ci >= 0) {
    runOne(argv[ci + 1], verify);
    return;
  }
  let names = argv.filter((a) => !a.startsWith("--"));
  if (names.length === 0) names = [...FIXTURES];
  if (argv.includes("--conv6")) names.push(CONV6_UNIFORM);
  const rows = runCases(__filename, names, verify ? ["--verify"] : []);
  console.log(`spectral benchmark (verify=${verify}); times in s, ratio = ours / official (undirected view + gap + radius)`);
  for (const r of rows) {
    if (r.error) {
      console.log(`${r.name}: ERROR ${String(r.error)}`);
      continue;
    }
    const n = (x: unknown) => (typeof x === "number" ? x.toFixed(2) : "–");
    const e = (x: unknown) => (typeof x === "number" ? x.toExponential(1) : "–");
    const ratio = typeof r.referenceS === "number" ? ((r.oursS as number) / r.referenceS).toFixed(2) : "–";
    console.log(
      `${r.name}: ${r.edges} edges | view ${n(r.undirectedS)} gap ${n(r.gapS)} (${r.gapMatvecs} matvecs) radius ${n(r.radiusS)} (${r.radiusMatvecs}) = ${n(r.oursS)} s vs official ${n(r.referenceS)} s (gap ${n(r.referenceGapS)}, radius ${n(r.referenceRadiusS)}) ratio ${ratio} | rel.err adjacency ${e(r.relErrAdjacency)} Laplacian ${e(r.relErrLaplacian)} | peak RSS ${n(r.peakRssMiB)} MiB (official ${n(r.referencePeakRssMiB)}, whole pipeline) | encode ${n(r.encodeS)} s`,
    );
  }
}

main();
