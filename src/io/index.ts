/**
 * Public API of the io stage: a pure format layer. Datasets by name (the dataset catalogue) and their
 * readers, augmentation and normalisation, the network-file format (safetensors with `_mask`
 * masks), safetensors, CSV, and where the paper's data and the reference fixtures live.
 */
export {
  type DatasetId, type DatasetInfo, type DatasetLoadOptions, type DatasetSplit,
  DATASETS, DATASET_IDS, loadDataset, parseDatasetName, datasetDisplayName, datasetNormalization,
} from "./datasets";
export { loadFashionMnist, loadMnist, FASHION_MNIST_CLASSES } from "./idx";
export { loadCifar10, loadCifar100 } from "./cifar";
export { loadTinyImageNet, type TinyImageNetOptions } from "./tinyimagenet";
export { type ImageDataset, type Normalization, type AugmentOptions, type Batch, CIFAR_AUGMENT, NO_AUGMENT, channelStats, subsetDataset, makeBatch } from "./augment";
export { type LoadedNetwork, type ReadNetworkOptions, MASK_SUFFIX, readNetwork, saveNetwork } from "./network-file";
export { type SafetensorsDtype, type RawTensor, type SafetensorsFile, type TensorToWrite, readSafetensors, readSafetensorsHeader, writeSafetensors, toFloat32 } from "./safetensors";
export { type CsvTable, type CsvValue, readCsv, parseCsv, writeCsv, formatCsv, numberColumn, stringColumn, hasColumn } from "./csv";
export { type PaperDataLocation, paperDataDir, paperDataCacheDir, paperDataLocations, referenceFixturesDir, projectRoot } from "./paths";
export { type DecodedTensor, type TensorDataType, type TensorData, readSafetensorsDecoded, decodedToFloat32 } from "./tensor";
export { isGzip, isGzipPath, gunzipBuffer, gunzipIfGzipped, readFileMaybeGzip } from "./gzip";
export { type OnnxModel, type OnnxGraph, type OnnxNode, type OnnxAttribute, type OnnxTensor, type OnnxValueInfo, type OnnxElemType, readOnnx, parseOnnx } from "./onnx/read";
export { type TorchStateDict, readTorchStateDict, parseTorchStateDict } from "./torch/state-dict";
export { type PruneLayout, mergePruneLayout } from "./prune-layout";
export { type WeightsFile, readWeightsFile } from "./weights-file";
export {
  type PaperDataStatus, type PaperDataManifest, type DownloadOptions, type DownloadResult, type EnsureResult,
  FETCH_PAPER_DATA_COMMAND, PAPER_DATA_DEPENDENTS, releasedMetricsFile, readReleasedMetricsCsv, paperDataStatus, verifyPaperData, downloadPaperData, ensurePaperData, paperDataUnavailableMessage,
} from "./paper-data";
