/** Public API of the nn stage: architecture specs and general DAGs (ONNX import, loadModel), host tensors, builders and shape inference. */
export * from "./spec";
export * from "./tensors";
export * from "./architectures";
export * from "./shapes";
export * from "./architectures-random";
export * from "./dag";
export * from "./dag-lift";
export * from "./architecture";
export * from "./torchvision-resnet";
export * from "./onnx-import";
export * from "./load-model";
export * from "./model-api";
export * from "./backend";
export * from "./gradients";
export * from "./model";
export { installNativeKernels, uninstallNativeKernels, setNativeThreads, nativeThreads, withNativeThreads, nativeInfo, defaultThreads, machineCores, type NativeInfo } from "./native";
