/**
 * `snn-topology analyze`: cross-validated XGBoost on a network-per-row metrics table (the paper's
 * unrolled.csv or the experiment grid's own results) under the pinned protocol of
 * src/analysis/models.ts, printing the scores.
 */
import path from "node:path";
import type { Command } from "./main";
import { parseCommandArgs, numberOption } from "./args";
import {
  loadNetworkCsv,
  classifyPruner,
  regressDrop,
  CLASSIFY_PROTOCOL,
  REGRESS_PROTOCOL,
  isFeatureSet,
  FEATURE_SETS,
  joinLayerEncoding,
  type NetTable,
  type ScoreRow,
  type FeatureSet,
  type BoostProtocol,
} from "../analysis/index";
import { paperDataDir } from "../io/paths";
import { releasedMetricsFile } from "../io/paper-data";
import { writeCsv } from "../io/csv";

const TASKS = ["classify-algorithm", "classify-category", "regress-drop"] as const;

const HELP = `usage: snn-topology analyze [--data FILE] --task TASK [options]

Cross-validated XGBoost on a table with one row per trained network.

  --data FILE        unrolled.csv (default: the paper's, under SNN_PAPER_DATA) or the experiment
                     grid's results CSV (same columns + dense_accuracy / accuracy_drop / realised_sparsity)
  --task TASK        ${TASKS.join(" | ")}
  --features SET     ${FEATURE_SETS.join(" | ")} (default mge). rolled, rolled-channel,
                     ramanujan and the paper's density baseline join the paper's per-layer files
                     (--paper-data); rows without them are left out and counted in the output
  --folds K          CV folds (default 5; stratified for classification, plain for regression)
  --seed S           fold and booster seed (default 0)
  --dense FILE       dense baselines (CSV: model,dataset,accuracy[,seed]) for the accuracy drop;
                     without it (and without dense_accuracy/accuracy_drop columns) the drop is taken
                     against the best run of the same model and dataset
  --paper-data DIR   folder of the paper's released metrics (default ${"$"}SNN_PAPER_DATA, else the cache data/paper-data/ or ../shared/paper-data; npm run fetch-paper-data)
  --group-by G       regress-drop only: grouped CV, G = model (leave one architecture out) or dataset
  --scores-csv FILE  also write every score (overall, per fold, per sparsity, per architecture) as a tidy CSV
  --json             print the scores as JSON (default: a text table)

Protocol: classification 200 trees, depth 6, learning rate 0.1; regression 300 trees, depth 6,
learning rate 0.05; tree_method hist, nthread 1; stratified/plain 5-fold CV with seed 0.
`;

export const command: Command = {
  summary: "cross-validated XGBoost: classify the pruning algorithm/category or regress the accuracy drop",
  async run(argv: string[]): Promise<number> {
    const { values, help } = parseCommandArgs(
      "analyze",
      argv,
      {
        data: { type: "string" },
        task: { type: "string" },
        features: { type: "string" },
        folds: { type: "string" },
        seed: { type: "string" },
        dense: { type: "string" },
        "paper-data": { type: "string" },
        "group-by": { type: "string" },
        "scores-csv": { type: "string" },
        json: { type: "boolean" },
      },
      HELP,
    );
    if (help) return 0;
    const task = values.task;
    if (!task || !(TASKS as readonly string[]).includes(task)) {
      throw new Error(`analyze: --task must be one of ${TASKS.join(", ")}, got '${task ?? ""}'\n\n${HELP}`);
    }
    const features = values.features ?? "mge";
    if (!isFeatureSet(features)) throw new Error(`analyze: --features must be one of ${FEATURE_SETS.join(", ")}, got '${features}'`);
    const folds = numberOption("analyze", "folds", values.folds, 5, 2, 100);
    const seed = numberOption("analyze", "seed", values.seed, 0, 0, 2 ** 31 - 1);
    if (!Number.isInteger(folds) || !Number.isInteger(seed)) throw new Error("analyze: --folds and --seed must be integers");
    const groupBy = values["group-by"];
    if (groupBy !== undefined && groupBy !== "model" && groupBy !== "dataset") throw new Error(`analyze: --group-by must be model or dataset, got '${groupBy}'`);
    if (groupBy !== undefined && task !== "regress-drop") throw new Error("analyze: --group-by applies to --task regress-drop only");
    const paperDir = values["paper-data"] ?? paperDataDir();
    const file = values.data ?? releasedMetricsFile(paperDir);
    const started = Date.now();
    const { table, info } = loadNetworkCsv(file, { dense: values.dense });
    let t: NetTable = table;
    let unmatched = 0;
    // Own grid results carry no per-layer files: their density baseline is 1 − realised_sparsity.
    const ownResults = path.resolve(file) !== path.resolve(releasedMetricsFile(paperDir));
    if (features !== "mge" && !(features === "density" && ownResults)) {
      const joined = joinLayerFeatures(table, features, paperDir);
      t = joined.table;
      unmatched = joined.unmatched;
      if (t.n === 0) throw new Error(`analyze: no row of ${file} matches the paper's per-layer files in ${paperDir}`);
    }
    let rows: ScoreRow[];
    let protocol: BoostProtocol;
    if (task === "regress-drop") {
      protocol = { ...REGRESS_PROTOCOL, folds, seed };
      rows = regressDrop(t, [features], { protocol, groupBy }).scores;
    } else {
      protocol = { ...CLASSIFY_PROTOCOL, folds, seed };
      rows = classifyPruner(t, task === "classify-algorithm" ? "algorithm" : "category", features, { protocol }).scores;
    }
    const overall = rows.filter((r) => r.groupBy === "all");
    if (values["scores-csv"]) {
      writeCsv(
        values["scores-csv"],
        ["task", "features", "group_by", "group", "metric", "value", "n"],
        rows.map((r) => [r.task, r.features, r.groupBy, r.group, r.metric, r.value, r.n]),
      );
    }
    const out = {
      task,
      features,
      data: file,
      rows: t.n,
      rowsRead: info.rowsRead,
      duplicatesRemoved: info.duplicatesRemoved,
      rowsWithoutLayerFeatures: unmatched,
      accuracyDrop: task === "regress-drop" ? info.dropSource : undefined,
      protocol: { folds, seed, rounds: protocol.rounds, ...protocol.params, ...(groupBy ? { groupBy } : {}) },
      scores: Object.fromEntries(overall.map((r) => [r.metric, r.value])),
      perFold: rows.filter((r) => r.groupBy === "fold").map((r) => ({ fold: Number(r.group), metric: r.metric, value: r.value })),
      seconds: (Date.now() - started) / 1000,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else {
      process.stdout.write(`${task} with ${features} features on ${t.n} networks (${file})\n`);
      if (task === "regress-drop") process.stdout.write(`accuracy drop: ${info.dropSource}\n`);
      for (const r of overall) process.stdout.write(`  ${r.metric.padEnd(18)} ${r.value.toFixed(4)}\n`);
      process.stdout.write(`  (${folds}-fold CV, seed ${seed}, ${out.seconds.toFixed(1)} s)\n`);
    }
    return 0;
  },
};

/** Joins the per-layer aggregates a feature set needs (its own, plus Ramanujan for density). */
function joinLayerFeatures(t: NetTable, set: FeatureSet, dir: string): { table: NetTable; unmatched: number } {
  switch (set) {
    case "rolled":
      return joinLayerEncoding(t, "rolled", dir);
    case "rolled-channel":
      return joinLayerEncoding(t, "rolled_channel", dir);
    case "ramanujan":
    case "density":
      return joinLayerEncoding(t, "ramanujan", dir);
    default:
      return { table: t, unmatched: 0 };
  }
}

