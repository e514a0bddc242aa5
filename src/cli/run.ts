/**
 * `snn-topology run`: runs an experiment grid (a preset or a JSON file) into a results folder,
 * skipping cells already there; resumable after any interruption, shardable for SLURM arrays.
 */
import os from "node:os";
import path from "node:path";
import type { Command } from "./main";
import { numberOption, parseCommandArgs, threadsOption } from "./args";
import { terminalProgress, silentProgress } from "../util/progress";
import { expandGrid, parseShard, shardCells, type Shard } from "../experiment/grid";
import { resolveGrid } from "../experiment/presets";
import { runGrid, validateGrid, type RunSummary } from "../experiment/runner";
import { codeVersion } from "../experiment/version";

const HELP = `usage: snn-topology run [--grid quick|paper|tiny|FILE.json] [--results DIR] [--workers N] [--threads N] [--shard i/n]

Runs every cell of a grid: prune → train → evaluate (plus one dense baseline per architecture,
dataset and seed) → MGE and BGE encodings → topometrics, one row per cell in DIR/results.csv
(dense baselines in DIR/dense.csv). Cells already in DIR are skipped, so an interrupted run
continues where it stopped when started again with the same arguments.

options:
  --grid NAME|FILE   preset (quick, paper, tiny) or grid JSON file (default: quick)
  --results DIR      results folder (default: results/<grid name>)
  --workers N        worker processes (default: number of cores; 0 = run in this process)
  --threads N        native-kernel threads per worker (default: cores / workers; workers × threads ≤ cores)
  --shard i/n        run only shard i of n (0-based; SLURM: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT);
                     merge the shards' folders afterwards with \`snn-topology merge\`
  --fail-fast        stop at the first failed cell
  --dry-run          validate the grid and print the number of cells, run nothing
  --quiet            no progress bar

SLURM array (one shard per task, then merge):
  sbatch --array=0-7 --cpus-per-task=4 --wrap \\
    'npx snn-topology run --grid paper --workers 4 --shard $SLURM_ARRAY_TASK_ID/8 --results results/paper-$SLURM_ARRAY_TASK_ID'
  npx snn-topology merge results/paper-* --out results/paper
`;

export function printSummary(s: RunSummary, out: (line: string) => void): void {
  out(
    `grid ${s.grid} (code ${s.codeVersion}): ${s.total} cells, ${s.skipped} already done, ${s.done} run now, ` +
      `${s.failed.length} failed, in ${s.seconds.toFixed(1)} s`,
  );
  out(`results: ${s.resultsFile}`);
  for (const f of s.failed.slice(0, 10)) out(`  FAILED ${f.label}: ${f.message.split("\n")[0]}`);
  if (s.failed.length > 10) out(`  … ${s.failed.length - 10} more in ${path.join(path.dirname(s.resultsFile), "failures.log")}`);
}

export const command: Command = {
  summary: "run an experiment grid (resumable, parallel, shardable)",
  async run(argv: string[]): Promise<number> {
    const { values, help } = parseCommandArgs(
      "run",
      argv,
      {
        grid: { type: "string" },
        results: { type: "string" },
        workers: { type: "string" },
        threads: { type: "string" },
        shard: { type: "string" },
        "fail-fast": { type: "boolean" },
        "dry-run": { type: "boolean" },
        quiet: { type: "boolean" },
      },
      HELP,
    );
    if (help) return 0;
    const grid = resolveGrid(values.grid ?? "quick");
    const workers = numberOption("run", "workers", values.workers, os.availableParallelism(), 0, 1024);
    if (!Number.isInteger(workers)) throw new Error(`run: --workers must be an integer, got '${values.workers}'`);
    const shard: Shard | undefined = values.shard ? parseShard(values.shard) : undefined;
    const resultsDir = path.resolve(values.results ?? path.join("results", shard ? `${grid.name}-shard${shard.index}of${shard.count}` : grid.name));
    const say = (line: string): void => {
      process.stderr.write(line + "\n");
    };
    if (values["dry-run"]) {
      const problems = await validateGrid(grid);
      if (problems.length > 0) throw new Error(problems.join("\n"));
      const cells = shardCells(expandGrid(grid, grid.codeVersion ?? codeVersion()), shard);
      process.stdout.write(`grid ${grid.name}: ${cells.dense.length} dense baselines + ${cells.sparse.length} sparse cells; results → ${resultsDir}\n`);
      return 0;
    }
    const summary = await runGrid({
      grid,
      resultsDir,
      workers,
      threads: threadsOption("run", values.threads),
      shard,
      failFast: Boolean(values["fail-fast"]),
      progress: values.quiet ? silentProgress : terminalProgress(`grid ${grid.name}`),
      log: values.quiet ? undefined : say,
    });
    printSummary(summary, say);
    return summary.failed.length > 0 ? 1 : 0;
  },
};
