/** Public API of the train stage: the masked-SGD training loop and evaluation, recipes, checkpoints, training hooks. */
export {
  type TrainData, type TrainOptions, type TrainResult, type EpochRecord, type CheckpointOptions, type TestAugmentation,
  train, evaluate, evaluateForRecipe, testAugmentation,
} from "./train";
export { type TrainRecipe, type RecipeName, RECIPES, referenceRecipe, multiStepLr } from "./recipes";
export { MaskedSgd, type SgdOptions } from "./sgd";
export { type CheckpointState, type ModelFile, CHECKPOINT_FORMAT, saveCheckpoint, loadCheckpoint, saveModel, loadModelFile } from "./checkpoint";
export type { TrainHook, StatefulTrainHook, TrainStepContext, HookStateRecord, JsonValue } from "./hooks";
