/**
 * A fast, deterministic stand-in for the real pipeline, for testing the runner machinery
 * (resume, workers, shards, merge). Each row is a pure function of the cell, so two runs of the same
 * cell give equal rows, like the real (seeded) pipeline.
 */
import { createHash } from "node:crypto";
import type { CellExecutor, Row } from "../../src/experiment/executor";
import type { Cell, GridSpec } from "../../src/experiment/grid";

function unit(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0) / 2 ** 32;
}

export function createExecutor(options: Record<string, unknown> = {}): CellExecutor {
  const delayMs = typeof options.delayMs === "number" ? options.delayMs : 0;
  const failPruner = typeof options.failPruner === "string" ? options.failPruner : undefined;
  // Kills the worker process on cells of this pruner and seed (a crash or out-of-memory kill).
  const crashPruner = typeof options.crashPruner === "string" ? options.crashPruner : undefined;
  return {
    info: () => ({ backend: "fake", tfjs_version: "none" }),
    async run(cell: Cell, ctx): Promise<Row> {
      ctx.stage("work");
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (cell.kind === "dense") return { accuracy: 0.9 + 0.05 * unit(`${cell.architecture}/${cell.seed}`) };
      if (cell.pruner === crashPruner && cell.seed === 0 && process.env.SNN_WORKER_ID !== undefined) process.exit(3);
      if (cell.pruner === failPruner) throw new Error(`fake executor: pruner ${cell.pruner} fails on purpose`);
      const id = `${cell.architecture}/${cell.dataset}/${cell.pruner}/${cell.sparsity}/${cell.seed}`;
      const edges = Math.round(1000 * (1 - cell.sparsity) * (1 + unit(id)));
      return {
        accuracy: 0.5 + 0.4 * unit(`acc ${id}`),
        nodes: 100,
        edges,
        realised_sparsity: cell.sparsity,
        "1-hop_nei": (1 + edges / 100) / edges,
        motif: unit(`motif ${id}`),
        t_train_s: delayMs / 1000,
      };
    },
  };
}

const PRUNERS = new Set(["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk", "snfs", "rigl", "dsr", "itop"]);

export function validateGrid(grid: GridSpec): string[] {
  const problems: string[] = [];
  for (const p of grid.pruners) if (!PRUNERS.has(p)) problems.push(`fake executor: unknown pruner '${p}'`);
  for (const a of grid.architectures) if (a !== "mlp" && a !== "cnn") problems.push(`fake executor: unknown architecture '${a}'`);
  return problems;
}
