/**
 * `npm start` = `snn-topology start`: the whole study in one command.
 * 1. kernel-setup/setup.sh (system packages and the TypeScript kernel; idempotent, fast when done), and
 *    the paper's released data, downloaded and verified once when missing (offline: one message, go on);
 * 2. the quick grid (or --grid) into results/quick/, skipping finished cells;
 * 3. every notebook executed headless on those results (SNN_RESULTS_FILE) and on the paper's data
 *    (SNN_PAPER_DATA, when present), exported as reports/*.html;
 * 4. a short summary: rows, balanced accuracy of classifying the pruner and R² of regressing the
 *    accuracy drop from the MGE topometrics on our own data, and every report: rendered, partial
 *    (which and why), or missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "./main";
import { numberOption, parseCommandArgs, threadsOption } from "./args";
import { projectRoot } from "../io/paths";
import { ensurePaperData, FETCH_PAPER_DATA_COMMAND, paperDataStatus } from "../io/paper-data";
import { PAPER_DATA_UNAVAILABLE_TITLE } from "../notebook/paper-data";
import { terminalProgress } from "../util/progress";
import { resolveGrid } from "../experiment/presets";
import { DENSE_FILE, RESULTS_FILE, runGrid } from "../experiment/runner";
import { printSummary } from "./run";

const HELP = `usage: snn-topology start [--grid quick|paper|FILE.json] [--results DIR] [--workers N] [--threads N] [--no-notebooks] [--no-setup]

Sets up the kernel, runs the grid (default: quick, Fashion-MNIST, 136 cells: about 14 CPU-minutes
with the native kernels, 28 without, so roughly 10–17 minutes on 2 cores the first time, seconds
when every cell is already done), executes every notebook on the results and on the paper's data (when present), writes
reports/*.html and prints a summary.

options:
  --grid NAME|FILE   preset or grid JSON file (default: quick)
  --results DIR      results folder (default: results/<grid name>)
  --workers N        worker processes (default: number of cores)
  --threads N        native-kernel threads per worker (default: cores / workers; workers × threads ≤ cores)
  --no-notebooks     skip executing the notebooks
  --no-setup         skip kernel-setup/setup.sh
`;

/** Own-data scores for the summary; null fields with a reason when they cannot be computed. */
export interface OwnDataSummary {
  rows: number;
  balancedAccuracy: number | null;
  r2: number | null;
  note?: string;
}

/**
 * Balanced accuracy (5-fold CV, XGBoost) of classifying the pruning algorithm and out-of-fold R² of
 * regressing the accuracy drop, both from the 16 MGE topometrics, on a results file.
 */
export function summariseResults(resultsFile: string): OwnDataSummary {
  // Loaded lazily: the analysis pulls in XGBoost through koffi, which `run` never needs.
  const analysis = require("../analysis/index") as typeof import("../analysis/index");
  const { table } = analysis.loadNetworkCsv(resultsFile);
  const out: OwnDataSummary = { rows: table.n, balancedAccuracy: null, r2: null };
  if (table.n < 10) {
    out.note = `only ${table.n} rows; need at least 10 for 5-fold cross-validation`;
    return out;
  }
  const notes: string[] = [];
  try {
    const c = analysis.classifyPruner(table, "algorithm", "mge");
    out.balancedAccuracy = c.scores.find((s) => s.groupBy === "all" && s.metric === "balanced_accuracy")?.value ?? null;
  } catch (err) {
    notes.push(`classification: ${(err as Error).message.split("\n")[0]}`);
  }
  try {
    const r = analysis.regressDrop(table, ["mge"]);
    out.r2 = r.scores.find((s) => s.groupBy === "all" && s.metric === "r2")?.value ?? null;
  } catch (err) {
    notes.push(`regression: ${(err as Error).message.split("\n")[0]}`);
  }
  if (notes.length > 0) out.note = notes.join("; ");
  return out;
}

/** One notebook's report after a run: rendered whole, rendered partial (and why), or not rendered. */
export interface ReportState {
  readonly notebook: string;
  readonly html: string;
  readonly state: "complete" | "partial" | "missing";
  readonly why?: string;
}

/**
 * The report of every notebooks/*.ipynb in `reportsDir`: missing when there is no HTML written at or
 * after `sinceMs` (a stale report from an earlier run does not count), partial when it holds the
 * "paper data not available" cell (src/notebook/paper-data.ts).
 */
export function reportStates(notebooksDir: string, reportsDir: string, sinceMs = 0): ReportState[] {
  return readdirSync(notebooksDir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((nb): ReportState => {
      const html = path.join(reportsDir, nb.replace(/\.ipynb$/, ".html"));
      if (!existsSync(html) || statSync(html).mtimeMs < sinceMs) return { notebook: nb, html, state: "missing", why: "not rendered (see the notebook messages above)" };
      if (readFileSync(html, "utf8").includes(PAPER_DATA_UNAVAILABLE_TITLE)) {
        return { notebook: nb, html, state: "partial", why: `the paper's released data are not available (${FETCH_PAPER_DATA_COMMAND}, then npm start again)` };
      }
      return { notebook: nb, html, state: "complete" };
    });
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): number {
  const r = spawnSync("bash", [script, ...args], { cwd: projectRoot(), stdio: "inherit", env });
  if (r.error) throw new Error(`start: could not run ${script}: ${r.error.message}`);
  return r.status ?? 1;
}

export const command: Command = {
  summary: "set up, run the quick grid, execute the notebooks into reports/*.html, print a summary",
  async run(argv: string[]): Promise<number> {
    const { values, help } = parseCommandArgs(
      "start",
      argv,
      {
        grid: { type: "string" },
        results: { type: "string" },
        workers: { type: "string" },
        threads: { type: "string" },
        "no-notebooks": { type: "boolean" },
        "no-setup": { type: "boolean" },
      },
      HELP,
    );
    if (help) return 0;
    const root = projectRoot();
    const say = (line: string): void => {
      process.stderr.write(line + "\n");
    };
    // Validate everything before the slow steps.
    const grid = resolveGrid(values.grid ?? "quick");
    const workers = numberOption("start", "workers", values.workers, os.availableParallelism(), 0, 1024);
    const resultsDir = path.resolve(values.results ?? path.join(root, "results", grid.name));

    if (!values["no-setup"]) {
      const setup = path.join(root, "kernel-setup", "setup.sh");
      if (existsSync(setup)) {
        say("start: checking the kernel set-up (kernel-setup/setup.sh)");
        const code = runScript(setup, [], process.env);
        if (code !== 0) {
          say("start: kernel-setup/setup.sh failed; see the messages above (or rerun with --no-setup)");
          return code;
        }
      }
    }

    if (!values["no-setup"]) {
      const mb = terminalProgress("start: paper data (MB)");
      const paper = await ensurePaperData({ progress: { update: (d, t, l) => mb.update(Math.round(d / 1e5) / 10, Math.round(t / 1e5) / 10, l), finish: (m) => mb.finish(m) } });
      if (paper.state === "downloaded") say(`start: the paper's released data were downloaded and verified into ${paper.status.dir}`);
      if (paper.message) say(paper.message);
    }

    say(`start: running grid '${grid.name}' into ${resultsDir} with ${workers} worker(s); finished cells are skipped`);
    const summary = await runGrid({ grid, resultsDir, workers, threads: threadsOption("start", values.threads), progress: terminalProgress(`grid ${grid.name}`), log: say });
    printSummary(summary, say);

    const resultsFile = path.join(resultsDir, RESULTS_FILE);
    const reportsDir = path.join(root, "reports");
    let notebooksFailed = false;
    let notebooksStarted: number | null = null;
    if (!values["no-notebooks"]) {
      const runner = path.join(root, "kernel-setup", "run-notebooks.sh");
      if (!existsSync(runner)) {
        say("start: kernel-setup/run-notebooks.sh is missing; skipping the notebooks");
      } else {
        // The notebooks read our results through resultsFile() (src/notebook/params.ts: SNN_RESULTS_FILE);
        // the dense baselines sit beside it.
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          SNN_RESULTS_FILE: resultsFile,
          SNN_DENSE_FILE: path.join(resultsDir, DENSE_FILE),
        };
        const paper = paperDataStatus();
        if (paper.available) env.SNN_PAPER_DATA = paper.dir;
        else say(`start: the paper's released data are not available; the notebooks that need them render a "not available" note (${FETCH_PAPER_DATA_COMMAND} to get them)`);
        say("start: executing the notebooks (kernel-setup/run-notebooks.sh)");
        notebooksStarted = Date.now() - 2000;
        notebooksFailed = runScript(runner, [], env) !== 0;
        if (notebooksFailed) say("start: some notebooks failed; see the messages above");
      }
    }

    const out: string[] = ["", "== snn-topology: summary =="];
    if (existsSync(resultsFile)) {
      try {
        const s = summariseResults(resultsFile);
        out.push(`own results: ${s.rows} networks in ${resultsFile}`);
        out.push(`  classify pruning algorithm from MGE topometrics: balanced accuracy ${s.balancedAccuracy === null ? "n/a" : s.balancedAccuracy.toFixed(3)}`);
        out.push(`  regress accuracy drop from MGE topometrics: R² ${s.r2 === null ? "n/a" : s.r2.toFixed(3)}`);
        if (s.note) out.push(`  (${s.note})`);
      } catch (err) {
        out.push(`own results: ${resultsFile} (summary failed: ${(err as Error).message.split("\n")[0]})`);
      }
    }
    if (notebooksStarted !== null) {
      const states = reportStates(path.join(root, "notebooks"), reportsDir, notebooksStarted);
      const n = (s: ReportState["state"]) => states.filter((r) => r.state === s).length;
      out.push(`reports in ${reportsDir}: ${states.length - n("missing")} of ${states.length} rendered (${n("complete")} complete, ${n("partial")} partial${n("missing") > 0 ? `, ${n("missing")} missing` : ""})`);
      for (const r of states) out.push(`  ${path.basename(r.html).padEnd(26)} ${r.state}${r.why ? `: ${r.why}` : ""}`);
    } else if (existsSync(reportsDir)) {
      const reports = readdirSync(reportsDir).filter((f) => f.endsWith(".html")).sort();
      out.push(`reports (not rerun): ${reports.length} in ${reportsDir}${reports.length > 0 ? `: ${reports.join(", ")}` : ""}`);
    } else out.push("reports: none written");
    process.stdout.write(out.join("\n") + "\n");
    return summary.failed.length > 0 || notebooksFailed ? 1 : 0;
  },
};
