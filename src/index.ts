/**
 * Public API of snn-topology. Data flows one way through the stages:
 * nn (architecture specs, tfjs models) → pruning → train → encoding (BGE, MGE, CSR) → metrics →
 * analysis → experiment; io, notebook and util serve all of them.
 */
export * from "./util/rng";
export * from "./util/progress";
export * from "./io/paths";
export * from "./encoding/csr";
