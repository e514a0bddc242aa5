/**
 * Public API of the metrics stage: the MGE topometrics (one module per family) and the per-layer
 * BGE and Ramanujan metrics. `computeTopometrics` is the entry point for a whole network.
 */
export * from "./adjacency";
export * from "./local";
export * from "./neighbourhood";
export * from "./strength";
export * from "./kcore";
export * from "./connectivity";
export * from "./undirected-simple";
export * from "./motifs";
export * from "./eigen";
export * from "./spectral";
export * from "./bge";
export * from "./ramanujan";
export * from "./topometrics";
export * from "./reference";
export * from "./fixture-comparison";
