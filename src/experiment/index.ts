/**
 * Public API of the experiment stage (grid runner). `Cell` and `Row` are exported as `GridCell` and
 * `ResultRow` (the notebook helpers own the names `Cell` and `Row`).
 */
export {
  type TrainingConfig, type MetricsConfig, type GridSpec, type CellBase, type DenseCell, type SparseCell, type Cell as GridCell, type Shard,
  parseGrid, loadGridFile, expandGrid, parseShard, shardCells, cellLabel,
} from "./grid";
export { RESULT_COLUMNS, UNROLLED_COLUMNS, isVolatileColumn, modelDisplayName } from "./columns";
export { type RowValue as ResultValue, type Row as ResultRow, type CellContext, type CellExecutor, type ExecutorModule } from "./executor";
export { readResultsCsv } from "./results";
export { type RunOptions, type RunSummary, type CellFailure, RESULTS_FILE, DENSE_FILE, runGrid, validateGrid } from "./runner";
export { type MergeSummary, mergeResultFiles, mergeResultDirs } from "./merge";
export { ALL_PRUNERS, PRESETS, resolveGrid, datasetsDir } from "./presets";
export { codeVersion } from "./version";
export { type NetworkRowOptions, networkRow, densityRow } from "./network-row";
export { type GroupSummary, summariseResults } from "./summary";
export { type PrunedNetwork, type TrainedNetwork, pruneEach, trainEach } from "./compare-pruners";
