/** Public API of the train stage: masked SGD training loop, recipes, checkpoints, hooks. */
export * from "./hooks";
export * from "./sgd";
export * from "./recipes";
export * from "./train";
export * from "./checkpoint";
