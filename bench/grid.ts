/**
 * Times the real pipeline on a slice of the quick preset (one seed, one sparsity: 22 sparse cells +
 * 2 dense baselines) and extrapolates to the whole quick grid (132 + 4 cells).
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/grid.ts [--workers 2] [--sparsity 0.9] [--out DIR]
 *
 * Prints per-cell stage timings (CPU-bound; on a shared machine they include contention) and the
 * estimated wall time of `npm start`'s grid with the given number of workers.
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PRESETS } from "../src/experiment/presets";
import { readResultsCsv } from "../src/experiment/results";
import { DENSE_FILE, RESULTS_FILE, runGrid } from "../src/experiment/runner";
import { terminalProgress } from "../src/util/progress";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workers: { type: "string" }, sparsity: { type: "string" }, out: { type: "string" } } });
  const workers = Number(values.workers ?? 2);
  const sparsity = Number(values.sparsity ?? 0.9);
  const out = path.resolve(values.out ?? path.join(os.tmpdir(), "snn-bench-grid"));
  const grid = PRESETS.quick();
  grid.name = "quick-bench";
  grid.seeds = [0];
  grid.sparsities = [sparsity];
  const t0 = Date.now();
  const s = await runGrid({ grid, resultsDir: out, workers, progress: terminalProgress("bench grid"), log: (l) => console.error(l) });
  const wall = (Date.now() - t0) / 1000;
  const rows = [...readResultsCsv(path.join(out, DENSE_FILE)).rows, ...readResultsCsv(path.join(out, RESULTS_FILE)).rows];
  const stages = ["t_prune_s", "t_train_s", "t_eval_s", "t_encode_s", "t_metrics_s", "t_bge_s", "t_total_s"];
  console.log(`| arch | pruning | accuracy | edges | ${stages.map((x) => x.slice(2, -2)).join(" | ")} |`);
  console.log(`|---|---|---|---|${stages.map(() => "---").join("|")}|`);
  const perArch = new Map<string, number>();
  for (const r of rows) {
    console.log(`| ${r.architecture} | ${r.pruning} | ${Number(r.accuracy).toFixed(4)} | ${r.edges ?? ""} | ${stages.map((k) => (r[k] === null ? "" : Number(r[k]).toFixed(2))).join(" | ")} |`);
    if (r.pruning !== "dense") perArch.set(String(r.architecture), (perArch.get(String(r.architecture)) ?? 0) + Number(r.t_total_s));
  }
  const cellSeconds = rows.reduce((a, r) => a + Number(r.t_total_s), 0);
  // The full quick grid: every sparse cell 3 sparsities × 2 seeds times, dense baselines 2 seeds times.
  const denseSeconds = rows.filter((r) => r.pruning === "dense").reduce((a, r) => a + Number(r.t_total_s), 0);
  const full = (cellSeconds - denseSeconds) * 6 + denseSeconds * 2;
  console.log(`\n${s.done} cells run (${s.skipped} already done) in ${wall.toFixed(0)} s wall with ${workers} workers; Σ cell time ${cellSeconds.toFixed(0)} s`);
  for (const [a, t] of perArch) console.log(`  ${a}: Σ ${t.toFixed(0)} s over 11 sparse cells`);
  console.log(`estimated quick grid (136 cells): Σ ${full.toFixed(0)} cell-seconds ≈ ${(full / workers / 60).toFixed(1)} min wall with ${workers} workers (same contention)`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
