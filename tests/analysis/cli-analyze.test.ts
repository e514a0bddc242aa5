import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { command } from "../../src/cli/analyze";
import { MGE_METRICS, PAPER_PRUNERS } from "../../src/analysis/data";
import { formatCsv, readCsv } from "../../src/io/csv";
import { Rng } from "../../src/util/rng";
import { tempDir } from "../temp";

/** Own-results CSV: metric 0 encodes the algorithm, the drop grows with sparsity. */
function ownResults(): string {
  const rng = new Rng(5);
  const algs: string[] = [...PAPER_PRUNERS];
  const header = ["model", "dataset", "pruning", "sparsity", "seed", "accuracy", "dense_accuracy", "realised_sparsity", ...MGE_METRICS];
  const rows: (string | number)[][] = [];
  for (const a of algs) {
    for (const s of [0.8, 0.9, 0.95]) {
      for (let seed = 0; seed < 3; seed++) {
        const acc = 0.9 - s * 0.3 - 0.005 * algs.indexOf(a) + 0.001 * rng.normal();
        rows.push(["Conv-6", "CIFAR-10", a, s, seed, acc, 0.92, s + 0.001, algs.indexOf(a), ...MGE_METRICS.slice(1).map(() => rng.normal())]);
      }
    }
  }
  const file = path.join(tempDir("analyze-"), "results.csv");
  fs.writeFileSync(file, formatCsv(header, rows));
  return file;
}

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await command.run(argv);
    return { code, out };
  } finally {
    process.stdout.write = write;
  }
}

test("analyze --json: classification of own results under the pinned protocol", async () => {
  const file = ownResults();
  const { code, out } = await capture(["--data", file, "--task", "classify-algorithm", "--folds", "3", "--json"]);
  assert.equal(code, 0);
  const r = JSON.parse(out) as { rows: number; scores: Record<string, number>; protocol: Record<string, unknown>; perFold: unknown[] };
  assert.equal(r.rows, 99);
  assert.ok(r.scores.balanced_accuracy > 0.95, `balanced accuracy ${r.scores.balanced_accuracy}`);
  assert.deepEqual(r.protocol, { folds: 3, seed: 0, rounds: 200, max_depth: 6, eta: 0.1, tree_method: "hist", nthread: 1 });
  assert.equal(r.perFold.length, 3 * 3);
});

test("analyze: regression uses dense_accuracy; density baseline from realised_sparsity", async () => {
  const file = ownResults();
  const { out } = await capture(["--data", file, "--task", "regress-drop", "--features", "density", "--folds", "3", "--json"]);
  const r = JSON.parse(out) as { accuracyDrop: string; scores: Record<string, number> };
  assert.equal(r.accuracyDrop, "dense_accuracy column");
  // drop = 0.3·s + 0.005·alg + const: Var(0.3·s) ≈ 3.5e-4 and Var(0.005·alg) = 2.5e-4, so density
  // alone can explain only ≈ 3.5/6 ≈ 0.58 of the variance
  assert.ok(r.scores.r2 > 0.45 && r.scores.r2 < 0.7, `R² ${r.scores.r2}`);
  const text = await capture(["--data", file, "--task", "regress-drop", "--folds", "3"]);
  assert.match(text.out, /regress-drop with mge features on 99 networks/);
  assert.match(text.out, /r2 +-?\d\.\d{4}/);
});

test("analyze: bad options are errors that say what is wrong", async () => {
  const file = ownResults();
  await assert.rejects(command.run(["--data", file, "--task", "cluster"]), /--task must be one of classify-algorithm, classify-category, regress-drop, got 'cluster'/);
  await assert.rejects(command.run(["--data", file, "--task", "regress-drop", "--features", "bge"]), /--features must be one of/);
  await assert.rejects(command.run(["--data", file, "--task", "regress-drop", "--folds", "x"]), /--folds must be a number/);
  await assert.rejects(command.run(["--data", file, "--task", "regress-drop", "--bogus"]), /analyze: Unknown option '--bogus'/);
});

test("analyze --scores-csv writes the tidy scores; --group-by needs two groups", async () => {
  const file = ownResults();
  const out = path.join(path.dirname(file), "scores.csv");
  const { code } = await capture(["--data", file, "--task", "classify-category", "--folds", "3", "--json", "--scores-csv", out]);
  assert.equal(code, 0);
  const csv = readCsv(out);
  assert.deepEqual(csv.header, ["task", "features", "group_by", "group", "metric", "value", "n"]);
  // overall + 3 folds + 3 sparsities + 1 architecture, 3 metrics each
  assert.equal(csv.rows.length, (1 + 3 + 3 + 1) * 3);
  assert.ok(csv.rows.every((r) => r[0] === "classify-category" && Number.isFinite(Number(r[5]))));
  await assert.rejects(
    command.run(["--data", file, "--task", "regress-drop", "--group-by", "model"]),
    /grouped CV by model needs at least 2 groups, the table has 1/,
  );
  await assert.rejects(command.run(["--data", file, "--task", "classify-category", "--group-by", "model"]), /--group-by applies to --task regress-drop only/);
});
