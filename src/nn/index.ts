/** Public API of the nn stage: architecture specs, host tensors, builders and shape inference. */
export * from "./spec";
export * from "./tensors";
export * from "./architectures";
export * from "./shapes";
export * from "./architectures-random";
export * from "./model-api";
export * from "./backend";
export * from "./gradients";
export * from "./model";
export * from "./network-file";
export * from "./batchnorm-ops";
export * from "./loss";
export * from "./layout";
