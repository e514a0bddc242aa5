/** Public API of the experiment stage (grid runner). */
export * from "./grid";
export * from "./columns";
export { type RowValue, type Row, type CellContext, type CellExecutor, type ExecutorModule, defaultExecutorPath, resolveExecutorPath, loadExecutorModule } from "./executor";
export { ResultsFile, readResultsCsv, formatCsvLine, parseCsvRecords, writeFileAtomic, lockResultsDir } from "./results";
export { type RunOptions, type RunSummary, type CellFailure, RESULTS_FILE, DENSE_FILE, runGrid, validateGrid } from "./runner";
export { type MergeSummary, mergeResultFiles, mergeResultDirs } from "./merge";
export { ALL_PRUNERS, PRESETS, resolveGrid, datasetsDir } from "./presets";
export { codeVersion, packageVersion, gitDescribe } from "./version";
