/**
 * Public API of snn-topology. Data flows one way through the stages:
 * nn (architecture specs, tfjs models) → pruning → train → encoding (BGE, MGE, CSR) → metrics →
 * analysis → experiment; io, notebook and util serve all of them.
 */
export * from "./util/rng";
export * from "./util/progress";
export * from "./io/index";
export * from "./nn/index";
export * from "./pruning/index";
export * from "./train/index";
export * from "./encoding/index";
export * from "./metrics/index";
export * from "./analysis/index";
export * from "./experiment/index";
export * from "./notebook/index";
