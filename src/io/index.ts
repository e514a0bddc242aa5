/** Public API of the io stage: safetensors (plain or .gz), float16, CSV, datasets (IDX, CIFAR, Tiny-ImageNet), augmentation, paths, the paper's released data. */
export * from "./paths";
export * from "./gzip";
export * from "./paper-data";
export * from "./safetensors";
export * from "./float16";
export * from "./csv";
export * from "./idx";
export * from "./cifar";
export * from "./tinyimagenet";
export * from "./augment";
