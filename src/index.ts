/**
 * Public API of snn-topology: each stage's curated entry points, listed explicitly (the stage
 * index files say what each name is; internals are reachable only through their modules).
 *
 * The data flow the imports really have (an arrow points from a stage to one it imports; apart
 * from the two edges named below, no module imports a later stage):
 *   util ← io ← nn ← pruning ← train
 *                 ↖ encoding ← metrics ← analysis
 *   experiment uses all of them; notebook (display helpers) serves experiment and the notebooks.
 * - io is a pure format layer (datasets, safetensors network files, CSV); its one nn import is the
 *   host-tensor type (nn/tensors), never an architecture — spec-aware checks live in nn/network-file.
 * - pruning's DST hooks implement train's `TrainHook` interface: a type-only import, the one edge
 *   from an earlier stage to a later one.
 * - encoding and metrics need only nn's specs and host tensors (not pruning or train); analysis
 *   reads only the metric and pruner catalogues, so it never loads tfjs.
 */
export {
  checkRngState, type RngState, Rng,
} from "./util/rng";
export {
  formatDuration, terminalProgress, type Progress, silentProgress,
} from "./util/progress";
export {
  type DatasetId, type DatasetInfo, type DatasetLoadOptions, type DatasetSplit, DATASETS, DATASET_IDS,
  loadDataset, parseDatasetName, datasetDisplayName, datasetNormalization, loadFashionMnist, loadMnist,
  FASHION_MNIST_CLASSES, loadCifar10, loadCifar100, loadTinyImageNet, type TinyImageNetOptions,
  type ImageDataset, type Normalization, type AugmentOptions, type Batch, CIFAR_AUGMENT, NO_AUGMENT,
  channelStats, subsetDataset, makeBatch, type LoadedNetwork, type ReadNetworkOptions, MASK_SUFFIX,
  readNetwork, saveNetwork, type SafetensorsDtype, type RawTensor, type SafetensorsFile, type TensorToWrite,
  readSafetensors, readSafetensorsHeader, writeSafetensors, toFloat32, type CsvTable, type CsvValue, readCsv,
  parseCsv, writeCsv, formatCsv, numberColumn, stringColumn, hasColumn, paperDataDir, referenceFixturesDir,
  projectRoot,
} from "./io/index";
export {
  type ArchSpec, type ArchOptions, type LayerSpec, type Conv2dSpec, type LinearSpec, type BatchNormSpec,
  type PoolSpec, type GlobalAvgPoolSpec, type FlattenSpec, type ActivationSpec, type ResidualSpec,
  type HostTensor, type HostMask, type WeightMap, type MaskMap, numel, type ArchitectureName,
  type PrunableWeight, ARCHITECTURE_NAMES, buildArchitecture, canonicalArchitectureName, prunableWeights,
  forEachLeafLayer, conv6, lenet300_100, lenet5, mobilenetv2, resnet20, resnet32, wrn28_2, randomSparseNetwork,
  type FeatureShape, type LayerShape, inferShapes, convOutputSize, type SparseModel, type ForwardOptions,
  type BuildModelOptions, type ModelForwardOptions, type LoadHostOptions, TfSparseModel, buildModel,
  modelToHost, loadHostWeights, type BackendInfo, type BackendName, initBackend, describeBackend, backendInfo,
  crossEntropy, loadNetwork, type LoadNetworkOptions,
} from "./nn/index";
export {
  type PrunerName, type PrunerCategory, type PrunerInfo, PRUNERS, PRUNER_NAMES, PAPER_PRUNERS, PAI_ALGORITHMS,
  DST_PRUNERS, PRUNER_CATEGORY, isPrunerName, prunerInfo, prunerCategory, prune, type PruneOptions,
  type PruneOutcome, type PrunableLayer, type LayerDensity, type DensityReport, type PruneResult,
  prunableLayers, totalWeights, maskDensity, sparsityOf, datasetPruneData, arrayPruneData, type PruneData,
  type PruneBatch, type ArrayDataOptions, applyMasks, pruneUniform, type UniformOptions, pruneEr, erDensities,
  type ErOptions, type ErDensities, pruneErk, erkDensities, type ErkOptions, type ErkDensities, pruneSnip,
  snipScores, type SnipOptions, pruneGrasp, type GraspOptions, pruneSynflow, synflowScores,
  type SynflowOptions, pruneProspr, prosprScores, type ProsprOptions, memoryBudget, planChunks, type ChunkPlan,
  type MemoryOptions, DstHook, type DstConfig, type DstOptions, type DstUpdate, SET_DEFAULTS, setDst,
  RIGL_DEFAULTS, riglDst, SNFS_DEFAULTS, snfsDst, DSR_DEFAULTS, dsrDst, ITOP_DEFAULTS, itopDst,
} from "./pruning/index";
export {
  type TrainData, type TrainOptions, type TrainResult, type EpochRecord, type CheckpointOptions,
  type TestAugmentation, train, evaluate, evaluateForRecipe, testAugmentation, type TrainRecipe,
  type RecipeName, RECIPES, referenceRecipe, multiStepLr, MaskedSgd, type SgdOptions, type CheckpointState,
  type ModelFile, CHECKPOINT_FORMAT, saveCheckpoint, loadCheckpoint, saveModel, loadModelFile, type TrainHook,
  type StatefulTrainHook, type TrainStepContext, type HookStateRecord, type JsonValue,
} from "./train/index";
export {
  type CsrGraph, type Partition, type ReverseCsr, csrFromEdges, inDegrees, outDegrees, reverseCsr, partitionOf,
  nodePosition, type InAdjacency, inAdjacency, type SimpleUndirected, simpleUndirected, type MgeGraph,
  type MgeOptions, type MgeCounts, type LayerEdgeCount, type UnrolledLayerOptions, type WeightPrecision,
  encodeMge, countMge, encodeUnrolledLayer, type Alignment, type LayerGraph, type BgeOptions, encodeRolledBge,
  encodeRolledChannelBge, type EdgeFingerprint, edgeFingerprint, type GraphMLOptions, writeGraphML,
  writeGraphBinary, readGraphBinary, toGraphology,
} from "./encoding/index";
export {
  type MetricName, type MetricInfo, type MetricGroup, type StepName, type BgeMetricName, type BgeMetricInfo,
  type RamanujanMetricName, type LayerAggregate, METRICS, METRIC_NAMES, MGE_METRICS, MGE_METRIC_GROUPS,
  UNROLLED_METRIC_COLUMNS, BGE_METRICS, BGE_METRIC_INFO, BGE_LAYER_METRICS, RAMANUJAN_METRICS,
  RAMANUJAN_METRIC_INFO, RAMANUJAN_LAYER_METRICS, LAYER_AGGREGATES, LAYER_ENCODING_PREFIX, DENSITY_COLUMNS,
  parseMetricName, paperNormalise, layerAggregateColumn, layerAggregateColumns, type Topometrics,
  type TopometricsOptions, type TopometricsDetails, computeTopometrics, type LayerSizes,
  type LocalConnectivity, localConnectivity, oneHopMean, twoHopMean, meanStrength, nodeStrengths, coreness,
  meanCoreness, type Components, type CutStructure, cutStructure, weakComponents, type MotifEstimate,
  type MotifEstimateOptions, type MotifTotals, estimateMotifs, exactMotifTotals, type SpectralOptions,
  type SpectralGap, type SpectralRadius, spectralGap, spectralRadius, type EigenOptions, type EigenResult,
  type SymmetricOperator, largestMagnitudeEigenvalues, type BgeLayerInput, type BgeLayerMetrics,
  type BgeMetricsOptions, type BgeNetworkMetrics, bgeLayerMetrics, bgeNetworkMetrics, type LayerSummary,
  type RamanujanLayerInput, type RamanujanLayerMetrics, type RamanujanNetworkMetrics, ramanujanLayerMetrics,
  ramanujanNetworkMetrics, type ReferenceFixture, type ReferenceExpected, type ComparisonRow, type ReleasedRow,
  listReferenceFixtures, loadReferenceFixture, compareWithReference, readReleasedMetrics,
} from "./metrics/index";
export {
  type NetTable, type DropSource, filterTable, takeTableRows, tableRecords, settingKey, type LoadOptions,
  type LoadInfo, type PaperData, type PaperDataOptions, type LayerEncoding, LAYER_ENCODINGS, unrolledCsvPath,
  loadNetworkCsv, networkTableFromCsv, loadPaperData, loadBgeLayers, loadRamanujanLayers, joinLayerEncoding,
  type DenseTable, loadDenseTable, type LayerRows, type LayerAggregates, aggregateLayers, joinAggregates,
  type FeatureSet, type FeatureSpec, type CustomFeatureSet, FEATURE_SETS, isFeatureSet, featureColumns,
  featureColumn, featureMatrix, featureSetName, type ExperimentOptions, type ClassificationResult,
  type RegressionResult, type ShapResult, type ShapRow, type RankingResult, type RankRow, type CorrelationRow,
  type ScoreRow, classifyPruner, regressDrop, shapImportance, rankPaI, layerDensityCorrelation,
  dropCorrelation, wideScores, type FigureSpec, confusionFigure, predictedVsTrueFigure, rankingFigure,
  scatterFigure, scoreBarsFigure, shapBarFigure, shapBeeswarmFigure, shapHeatmapFigure, toDataFrame,
  layersDataFrame, loadPaperDataFrames, type BoostProtocol, CLASSIFY_PROTOCOL, REGRESS_PROTOCOL, cvClassify,
  cvRegress, type Matrix, type XgbParams, DEFAULT_XGB_PARAMS, trainXgb, predictXgb, shapXgb, xgboostAvailable,
  xgboostVersion, type Fold, kFold, stratifiedKFold, groupKFold, type ClassificationScores,
  type RegressionScores, accuracy, balancedAccuracy, macroF1, f1PerClass, confusionMatrix,
  classificationScores, r2, mae, rmse, regressionScores, pearson, spearman, kendallTau, averageRanks,
} from "./analysis/index";
export {
  type TrainingConfig, type MetricsConfig, type GridSpec, type CellBase, type DenseCell, type SparseCell,
  type GridCell, type Shard, parseGrid, loadGridFile, expandGrid, parseShard, shardCells, cellLabel,
  RESULT_COLUMNS, UNROLLED_COLUMNS, isVolatileColumn, modelDisplayName, type ResultValue, type ResultRow,
  type CellContext, type CellExecutor, type ExecutorModule, readResultsCsv, type RunOptions, type RunSummary,
  type CellFailure, RESULTS_FILE, DENSE_FILE, runGrid, validateGrid, type MergeSummary, mergeResultFiles,
  mergeResultDirs, ALL_PRUNERS, PRESETS, resolveGrid, datasetsDir, codeVersion, type NetworkRowOptions,
  networkRow, densityRow,
} from "./experiment/index";
export {
  type MimeBundle, type DisplaySink, type DisplayHandle, setDisplaySink, currentSink, inKernel, show,
  newDisplayHandle, escapeHtml, html, markdown, type Figure, type PlotOptions, PLOT_MARKER, plotlyInit,
  plotlyBundle, plotHtml, plot, resetPlotly, type Cell, type Row, type Columns, type TableOptions,
  formatNumber, columnsToRows, htmlTable, table, type ProgressDisplayOptions, progressDisplay, progressHtml,
  type LayeredGraphOptions, layeredGraphSvg, drawLayeredGraph, KERNEL_NAME, jupyterPathDir, jupyterEnv,
  resultsFile,
} from "./notebook/index";
