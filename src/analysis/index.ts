/** Analysis stage: XGBoost (FFI), cross-validation, scores, paper-data loaders and the paper's experiments. */
export * from "./xgboost";
export * from "./scores";
export * from "./cv";
export * from "./models";
export * from "./data";
export * from "./features";
export * from "./experiments";
export { toDataFrame, layersDataFrame, loadPaperDataFrames } from "./dataframe";
export * from "./figures";
