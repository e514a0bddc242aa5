/**
 * Public API of the nn stage: architecture specs and the architecture catalogue, host tensors,
 * shape inference, the tfjs sparse model, the backend, and network files checked against an
 * architecture.
 */
export type { ArchSpec, ArchOptions, LayerSpec, Conv2dSpec, LinearSpec, BatchNormSpec, PoolSpec, GlobalAvgPoolSpec, FlattenSpec, ActivationSpec, ResidualSpec } from "./spec";
export { type HostTensor, type HostMask, type WeightMap, type MaskMap, numel } from "./tensors";
export {
  type ArchitectureName, type PrunableWeight,
  ARCHITECTURE_NAMES, buildArchitecture, canonicalArchitectureName, prunableWeights, forEachLeafLayer,
  conv6, lenet300_100, lenet5, mobilenetv2, resnet20, resnet32, wrn28_2,
} from "./architectures";
export { randomSparseNetwork } from "./architectures-random";
export { type FeatureShape, type LayerShape, inferShapes, convOutputSize } from "./shapes";
export type { SparseModel, ForwardOptions } from "./model-api";
export { type BuildModelOptions, type ModelForwardOptions, type LoadHostOptions, TfSparseModel, buildModel, modelToHost, loadHostWeights } from "./model";
export { type BackendInfo, type BackendName, initBackend, describeBackend, backendInfo } from "./backend";
export { crossEntropy } from "./loss";
export { loadNetwork, type LoadNetworkOptions } from "./network-file";
export {
  type DagSpec, type DagNode, type DagOp, type DagConv, type DagLinear, type DagBatchNorm, type DagActivation, type DagIdentity,
  type DagPool, type DagAdaptivePool, type DagFlatten, type DagAdd, type DagConcat, type DagWeight, type TensorShape,
  isDagSpec, archToDag, inferDagShapes, dagWeights,
} from "./dag";
export { liftDagToArchSpec } from "./dag-lift";
export { type Architecture, architectureWeights, requireArchSpec } from "./architecture";
export { type TorchvisionResnet, type TorchvisionResnetOptions, torchvisionResnet } from "./torchvision-resnet";
export { type OnnxImportOptions, type ImportedModel, dagFromOnnx } from "./onnx-import";
export { type LoadModelOptions, type LoadedModel, loadModel } from "./load-model";
export { installNativeKernels, uninstallNativeKernels, setNativeThreads, nativeThreads, withNativeThreads, nativeInfo, defaultThreads, machineCores, type NativeInfo } from "./native/index";
