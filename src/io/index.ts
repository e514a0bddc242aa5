/** Public API of the io stage: safetensors, ONNX, PyTorch checkpoints, the prune layout, float16, decoded tensors, gzip, CSV, datasets (IDX, CIFAR, Tiny-ImageNet), augmentation, paths. */
export * from "./paths";
export * from "./safetensors";
export * from "./float16";
export * from "./tensor";
export * from "./gzip";
export * from "./onnx/read";
export * from "./torch/state-dict";
export * from "./prune-layout";
export * from "./csv";
export * from "./idx";
export * from "./cifar";
export * from "./tinyimagenet";
export * from "./augment";
