/**
 * Cross-check of the analysis protocol against Python xgboost + scikit-learn, side by side.
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/analysis.ts
 *
 * Runs the TypeScript engine on unrolled.csv (16 MGE metrics; classify the 11 algorithms and the 3
 * categories with 5-fold stratified CV, regress the accuracy drop with 5-fold CV; seed 0), writes
 * its fold ids, then runs bench/analysis-crosscheck.py twice with /usr/bin/python3: once with
 * scikit-learn's own folds (StratifiedKFold/KFold, shuffle, random_state 0: same protocol, other
 * fold assignment) and once with the TypeScript folds (PredefinedSplit: same folds). The
 * acceptance bound of issue #4 is |TS − Python| ≤ 0.02 on balanced accuracy and R².
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { loadNetworkCsv, classifyPruner, regressDrop, shapImportance } from "../src/analysis";
import { releasedMetricsFile } from "../src/io";
import { tableKeys } from "../src/analysis/table";

interface PyOut {
  folds: string;
  seconds: number;
  "classify-algorithm": Record<string, number>;
  "classify-category": Record<string, number>;
  "regress-drop": Record<string, number>;
  "shap-mean-abs": Record<string, number>;
  "shap-sum-max-error": number;
}

function main(): void {
  const file = process.argv[2] ?? releasedMetricsFile();
  const t0 = Date.now();
  const { table } = loadNetworkCsv(file);
  const alg = classifyPruner(table, "algorithm");
  const cat = classifyPruner(table, "category");
  const reg = regressDrop(table, ["mge"]);
  const shap = shapImportance(table, "mge");
  const tsSeconds = (Date.now() - t0) / 1000;
  const score = (rows: { groupBy: string; metric: string; value: number }[], m: string) => rows.find((r) => r.groupBy === "all" && r.metric === m)!.value;
  const ts = {
    "classify-algorithm": { balanced_accuracy: score(alg.scores, "balanced_accuracy"), accuracy: score(alg.scores, "accuracy"), macro_f1: score(alg.scores, "macro_f1") },
    "classify-category": { balanced_accuracy: score(cat.scores, "balanced_accuracy"), accuracy: score(cat.scores, "accuracy"), macro_f1: score(cat.scores, "macro_f1") },
    "regress-drop": { r2: score(reg.scores, "r2"), mae: score(reg.scores, "mae"), rmse: score(reg.scores, "rmse") },
  };
  const foldsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "snn-folds-")), "folds.json");
  fs.writeFileSync(
    foldsFile,
    JSON.stringify({
      keys: tableKeys(table),
      "classify-algorithm": Array.from(alg.foldIds),
      "classify-category": Array.from(cat.foldIds),
      "regress-drop": Array.from(reg.foldIds),
    }),
  );
  const script = path.join(__dirname, "analysis-crosscheck.py");
  const run = (extra: string[]): PyOut => JSON.parse(execFileSync("/usr/bin/python3", [script, "--data", file, ...extra], { encoding: "utf8" })) as PyOut;
  const pySk = run([]);
  const pyTs = run(["--folds-json", foldsFile]);
  const lines: string[] = [];
  lines.push(`data: ${file} (${table.n} networks)`);
  lines.push(`TypeScript ${tsSeconds.toFixed(1)} s; Python (sklearn folds) ${pySk.seconds.toFixed(1)} s; Python (TS folds) ${pyTs.seconds.toFixed(1)} s`);
  lines.push("");
  lines.push(`${"task".padEnd(20)}${"metric".padEnd(20)}${"TypeScript".padStart(12)}${"Py sk-folds".padStart(13)}${"Py TS-folds".padStart(13)}${"|Δ| sk".padStart(9)}${"|Δ| TS".padStart(9)}`);
  let ok = true;
  for (const task of ["classify-algorithm", "classify-category", "regress-drop"] as const) {
    for (const [metric, v] of Object.entries(ts[task])) {
      const a = pySk[task][metric];
      const b = pyTs[task][metric];
      const gated = metric === "balanced_accuracy" || metric === "r2";
      if (gated && (Math.abs(v - a) > 0.02 || Math.abs(v - b) > 0.02)) ok = false;
      lines.push(
        `${task.padEnd(20)}${(metric + (gated ? " *" : "")).padEnd(20)}${v.toFixed(4).padStart(12)}${a.toFixed(4).padStart(13)}${b.toFixed(4).padStart(13)}${Math.abs(v - a).toFixed(4).padStart(9)}${Math.abs(v - b).toFixed(4).padStart(9)}`,
      );
    }
  }
  lines.push("");
  lines.push("TreeSHAP, regressor fitted on all rows: mean |SHAP| per MGE metric (accuracy-drop units)");
  let maxShapDiff = 0;
  for (const r of shap.rows.filter((q) => q.groupBy === "all").sort((a, b) => b.meanAbsShap - a.meanAbsShap)) {
    const py = pyTs["shap-mean-abs"][r.feature];
    maxShapDiff = Math.max(maxShapDiff, Math.abs(py - r.meanAbsShap));
    lines.push(`  ${r.feature.padEnd(28)}${r.meanAbsShap.toExponential(4).padStart(12)}${py.toExponential(4).padStart(13)}`);
  }
  lines.push(`  max |Δ| ${maxShapDiff.toExponential(2)}; Python's max |Σ SHAP − margin| ${pyTs["shap-sum-max-error"].toExponential(2)}`);
  lines.push("");
  lines.push(`* gated: |Δ| ≤ 0.02 → ${ok ? "PASS" : "FAIL"}`);
  process.stdout.write(lines.join("\n") + "\n");
  process.exitCode = ok ? 0 : 1;
}

main();
