/**
 * Benchmark: exact motif totals by subgraph-count algebra (src/metrics/motifs.ts) and the RAND-ESU
 * estimate (size 4, 0.1 % of the nodes as roots) on the MGE of the reference fixtures (and, with
 * --conv6, Conv-6 uniform 0.6 ≈ 96 M edges), against the official timings in each expected.json
 * (`extra:closed-form motif totals` — the fixture author's own numpy/scipy closed form — and
 * `metric:motifs(estimate,size4)`, igraph). Exact totals are checked against `motifs_exact`.
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/motifs.ts [--conv6] [--max-work=1e11] [--no-estimate] [names…]
 * (names: fixture names, or none of them with --conv6 alone: pass --conv6 and a fixture to run both)
 */
import { estimateMotifs, exactMotifTotals } from "../src/metrics/motifs";
import { buildCase, CONV6_UNIFORM, expectedOf, FIXTURES, peakRssMiB, runCases } from "./mge-cases";

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function runOne(name: string, maxWork: number, withEstimate: boolean): void {
  let t = process.hrtime.bigint();
  const g = buildCase(name);
  const encode = seconds(t);
  t = process.hrtime.bigint();
  let exact: ReturnType<typeof exactMotifTotals> | null = null;
  let exactError: string | null = null;
  try {
    exact = exactMotifTotals(g, { maxWork });
  } catch (e) {
    exactError = (e as Error).message;
  }
  const exactS = seconds(t);
  t = process.hrtime.bigint();
  const est = withEstimate ? estimateMotifs(g, { size: 4, seed: 0 }) : { estimate: Number.NaN, standardError: Number.NaN, sampleSize: 0 };
  const estS = seconds(t);
  const exp = expectedOf(name);
  console.log(
    JSON.stringify({
      name,
      nodes: g.numNodes,
      edges: g.numEdges,
      encodeS: encode,
      exactS,
      exactError,
      connected3: exact?.connected3 ?? null,
      connected4: exact?.connected4 ?? null,
      work: exact?.work ?? null,
      matches: exp && exact ? exact.connected3 === exp.motifs_exact.connected_induced_3 && exact.connected4 === exp.motifs_exact.connected_induced_4 : null,
      estimate: est.estimate,
      estimateSE: est.standardError,
      estimateRoots: est.sampleSize,
      estimateS: estS,
      referenceExactS: exp ? exp.reference_seconds["extra:closed-form motif totals"] : null,
      referenceEstimateS: exp ? exp.reference_seconds["metric:motifs(estimate,size4)"] : null,
      referenceEstimate: exp ? exp.metrics_raw["motifs"] : null,
      peakRssMiB: peakRssMiB(),
    }),
  );
}

function main(): void {
  const argv = process.argv.slice(2);
  const mw = argv.find((a) => a.startsWith("--max-work="));
  const maxWork = mw ? Number(mw.split("=")[1]) : 3e10;
  const ci = argv.indexOf("--case");
  if (ci >= 0) {
    runOne(argv[ci + 1], maxWork, !argv.includes("--no-estimate"));
    return;
  }
  let names = argv.filter((a) => !a.startsWith("--"));
  if (names.length === 0 && !argv.includes("--conv6")) names = [...FIXTURES];
  if (argv.includes("--conv6")) names.push(CONV6_UNIFORM);
  const rows = runCases(__filename, names, [...(mw ? [mw] : []), ...(argv.includes("--no-estimate") ? ["--no-estimate"] : [])]);
  console.log("motif benchmark; times in s, ratio = ours / official");
  const n = (x: unknown) => (typeof x === "number" ? x.toFixed(2) : "–");
  for (const r of rows) {
    if (r.error) {
      console.log(`${r.name}: ERROR ${String(r.error)}`);
      continue;
    }
    const ratio = typeof r.referenceExactS === "number" && !r.exactError ? ((r.exactS as number) / r.referenceExactS).toFixed(2) : "–";
    const exactPart = r.exactError ? `exact refused: ${String(r.exactError)}` : `exact ${n(r.exactS)} s (work ${Number(r.work).toExponential(2)}) vs official closed form ${n(r.referenceExactS)} s, ratio ${ratio}, connected4 ${String(r.connected4)} ${r.matches === null ? "" : r.matches ? "= fixture" : "≠ FIXTURE"}`;
    console.log(
      `${r.name}: ${r.edges} edges | ${exactPart} | estimate ${Number(r.estimate).toExponential(3)} ± ${Number(r.estimateSE).toExponential(2)} (${r.estimateRoots} roots) in ${n(r.estimateS)} s vs igraph ${n(r.referenceEstimateS)} s | peak RSS ${n(r.peakRssMiB)} MiB | encode ${n(r.encodeS)} s`,
    );
  }
}

main();
