/**
 * Public API of the metrics stage: the metric catalogue, `computeTopometrics` (the 16 MGE
 * topometrics of a whole network), each metric family on its own, the per-layer BGE and Ramanujan
 * metrics, and the reference fixtures / released metrics to compare with.
 */
export {
  type MetricName, type MetricInfo, type MetricGroup, type StepName, type BgeMetricName, type BgeMetricInfo, type RamanujanMetricName, type LayerAggregate,
  METRICS, METRIC_NAMES, MGE_METRICS, MGE_METRIC_GROUPS, UNROLLED_METRIC_COLUMNS, BGE_METRICS, BGE_METRIC_INFO, BGE_LAYER_METRICS,
  RAMANUJAN_METRICS, RAMANUJAN_METRIC_INFO, RAMANUJAN_LAYER_METRICS, LAYER_AGGREGATES, LAYER_ENCODING_PREFIX, DENSITY_COLUMNS,
  parseMetricName, paperNormalize, layerAggregateColumn, layerAggregateColumns,
} from "./catalogue";
export { type Topometrics, type TopometricsOptions, type TopometricsDetails, computeTopometrics } from "./topometrics";
export { type LayerSizes, type LocalConnectivity, localConnectivity, nodeRoles, NODE_ROLE, removableBounds } from "./local";
export { oneHopMean, twoHopMean } from "./neighbourhood";
export { meanStrength, nodeStrengths } from "./strength";
export { coreness, meanCoreness } from "./kcore";
export { type Components, type CutStructure, cutStructure, weakComponents } from "./connectivity";
export { type MotifEstimate, type MotifEstimateOptions, type MotifTotals, estimateMotifs, exactMotifTotals } from "./motifs";
export { type SpectralOptions, type SpectralGap, type SpectralRadius, spectralGap, spectralRadius } from "./spectral";
export { type EigenOptions, type EigenResult, type SymmetricOperator, largestMagnitudeEigenvalues } from "./eigen";
export { type BgeLayerInput, type BgeLayerMetrics, type BgeMetricsOptions, type BgeNetworkMetrics, bgeLayerMetrics, bgeNetworkMetrics } from "./bge";
export { type LayerSummary, type RamanujanLayerInput, type RamanujanLayerMetrics, type RamanujanNetworkMetrics, ramanujanLayerMetrics, ramanujanNetworkMetrics } from "./ramanujan";
export {
  type ReferenceFixture, type ReferenceExpected, type ComparisonRow, type ReleasedRow,
  listReferenceFixtures, loadReferenceFixture, findReferenceNetwork, readReferenceExpected, compareWithReference, readReleasedMetrics,
} from "./reference";
export { type FixtureAgreement, DETERMINISTIC_METRICS, STRENGTH_REL_TOLERANCE, fixtureAgreement } from "./fixture-comparison";
