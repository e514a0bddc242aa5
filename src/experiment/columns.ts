/**
 * Columns of the results files. The first 24 are exactly the columns of the paper's released
 * `graph_metrics/unrolled/unrolled.csv` (reference-notes §2.1), in the same order and with the same
 * normalisation, so the analysis reads our rows and the paper's alike; the rest are additions.
 */
import { BGE_LAYER_METRICS, DENSITY_COLUMNS, LAYER_ENCODING_PREFIX, RAMANUJAN_LAYER_METRICS, UNROLLED_METRIC_COLUMNS, layerAggregateColumns } from "../metrics/catalogue";

/** The columns of the released unrolled.csv, in order. */
export const UNROLLED_COLUMNS: readonly string[] = [
  "accuracy", "pruning", "sparsity", "model", "dataset", "seed", "nodes", "edges",
  ...UNROLLED_METRIC_COLUMNS,
];

/**
 * Per-layer encodings aggregated per network, named exactly as src/analysis/data.ts names its joins of
 * the paper's per-layer files (`rolled:<metric>_<mean|min|max|wmean>`, …), so the analysis feature
 * sets "rolled", "rolled-channel", "ramanujan" and "density" work on our rows unchanged.
 */
export const LAYER_AGGREGATE_COLUMNS: readonly string[] = [
  ...layerAggregateColumns(LAYER_ENCODING_PREFIX.rolled, BGE_LAYER_METRICS),
  ...layerAggregateColumns(LAYER_ENCODING_PREFIX.rolledChannel, BGE_LAYER_METRICS),
  ...layerAggregateColumns(LAYER_ENCODING_PREFIX.ramanujan, RAMANUJAN_LAYER_METRICS),
  ...DENSITY_COLUMNS,
];

export const EXTRA_COLUMNS: readonly string[] = [
  // identity and configuration
  "cell_key", "dense_key", "grid", "architecture", "training",
  // accuracy and sparsity
  "dense_accuracy", "accuracy_drop", "realised_sparsity", "nnz", "params", "train_steps",
  ...LAYER_AGGREGATE_COLUMNS,
  // artifacts, timings, versions
  "model_file", "t_prune_s", "t_train_s", "t_eval_s", "t_encode_s", "t_metrics_s", "t_bge_s", "t_total_s",
  "code_version", "lib_version", "tfjs_version", "backend", "node_version", "finished_at",
];

export const RESULT_COLUMNS: readonly string[] = [...UNROLLED_COLUMNS, ...EXTRA_COLUMNS];

/**
 * Columns that legitimately differ between two runs of the same cell (timings, versions, host
 * details); everything else must be equal, which is what the shard + merge test checks.
 */
export function isVolatileColumn(name: string): boolean {
  return name.startsWith("t_") || name === "finished_at" || name === "node_version" || name === "model_file";
}

/** Paper spelling of the architecture in the `model` column (as in unrolled.csv), else the id itself. */
export function modelDisplayName(architecture: string): string {
  const names: Record<string, string> = {
    conv6: "CONV-6",
    resnet20: "Resnet-20",
    resnet32: "Resnet-32",
    "wrn28-2": "Wide-Resnet-28-2",
    mobilenetv2: "MobileNetV2",
    "lenet300-100": "LeNet-300-100",
    lenet5: "LeNet-5",
  };
  return names[architecture] ?? architecture;
}

export { datasetDisplayName } from "../io/datasets";
