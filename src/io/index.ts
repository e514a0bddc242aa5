/** Public API of the io stage: safetensors, float16, CSV, datasets (IDX, CIFAR, Tiny-ImageNet), augmentation, paths. */
export * from "./paths";
export * from "./safetensors";
export * from "./float16";
export * from "./csv";
export * from "./idx";
export * from "./cifar";
export * from "./tinyimagenet";
export * from "./augment";
export * from "./network-file";
export * from "./datasets";
