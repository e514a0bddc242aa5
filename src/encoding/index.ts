/**
 * Public API of the encoding stage: the CSR graph type and its views (reverse, in-adjacency,
 * simple undirected), the MGE (multipartite) and per-layer BGE (rolled, rolled-channel, unrolled)
 * encoders, edge fingerprints, and graph export.
 */
export { type CsrGraph, type Partition, type ReverseCsr, csrFromEdges, inDegrees, outDegrees, reverseCsr, partitionOf, nodePosition } from "./csr";
export { type InAdjacency, inAdjacency } from "./in-adjacency";
export { type SimpleUndirected, simpleUndirected } from "./undirected-simple";
export {
  type MgeGraph, type MgeOptions, type MgeCountOptions, type MgeCounts, type LayerEdgeCount, type UnrolledLayerOptions, type WeightPrecision,
  encodeMge, countMge, encodeUnrolledLayer,
} from "./mge";
export type { Alignment } from "./plan";
export { type LayerGraph, type BgeOptions, encodeRolledBge, encodeRolledChannelBge } from "./bge";
export { type EdgeFingerprint, edgeFingerprint } from "./fingerprint";
export { type GraphMLOptions, writeGraphML, writeGraphBinary, readGraphBinary, toGraphology } from "./export";
export { type DagMgePlan, type DagPlanOptions, buildDagMgePlan } from "./dag-plan";
export { encodeDagMge, countDagMge, encodeArchitectureMge, countArchitectureMge } from "./dag-mge";
