/**
 * Public API of the analysis stage: the network table and its loaders (the paper's released data,
 * the grid's own results), feature sets, the paper's experiments (classification of the pruner,
 * regression of the accuracy drop, SHAP, rankings, correlations) with their figures, and the
 * XGBoost, cross-validation and score building blocks.
 */
export { type NetTable, type DropSource, filterTable, takeTableRows, tableRecords, settingKey } from "./table";
export {
  type LoadOptions, type LoadInfo, type PaperData, type PaperDataOptions, type LayerEncoding,
  LAYER_ENCODINGS, loadNetworkCsv, networkTableFromCsv, loadPaperData, loadBgeLayers, loadRamanujanLayers, joinLayerEncoding,
} from "./data";
export { type DenseTable, loadDenseTable } from "./accuracy-drop";
export { type LayerRows, type LayerAggregates, aggregateLayers, joinAggregates } from "./layer-aggregates";
export { type FeatureSet, type FeatureSpec, type CustomFeatureSet, FEATURE_SETS, isFeatureSet, featureColumns, featureColumn, featureMatrix, featureSetName } from "./features";
export {
  type ExperimentOptions, type ClassificationResult, type RegressionResult, type ShapResult, type ShapRow, type RankingResult, type RankRow, type CorrelationRow, type ScoreRow,
  classifyPruner, regressDrop, shapImportance, rankPaI, layerDensityCorrelation, dropCorrelation, wideScores,
} from "./experiments";
export { type FigureSpec, confusionFigure, predictedVsTrueFigure, rankingFigure, scatterFigure, scoreBarsFigure, shapBarFigure, shapBeeswarmFigure, shapHeatmapFigure } from "./figures";
export { toDataFrame, layersDataFrame, loadPaperDataFrames } from "./dataframe";
export { type BoostProtocol, CLASSIFY_PROTOCOL, REGRESS_PROTOCOL, cvClassify, cvRegress } from "./models";
export { type Matrix, type XgbParams, DEFAULT_XGB_PARAMS, trainXgb, predictXgb, shapXgb, xgboostAvailable, xgboostVersion } from "./xgboost";
export { type Fold, kFold, stratifiedKFold, groupKFold } from "./cv";
export {
  type ClassificationScores, type RegressionScores,
  accuracy, balancedAccuracy, macroF1, f1PerClass, confusionMatrix, classificationScores, r2, mae, rmse, regressionScores, pearson, spearman, kendallTau, averageRanks,
} from "./scores";
// The catalogues the analysis notebooks list (defined by the metrics and pruning stages).
export { MGE_METRICS, MGE_METRIC_GROUPS, BGE_LAYER_METRICS, RAMANUJAN_LAYER_METRICS } from "../metrics/catalogue";
export { PRUNER_CATEGORY, PAI_ALGORITHMS, PAPER_PRUNERS, prunerCategory } from "../pruning/catalogue";
