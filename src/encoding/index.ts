/**
 * Public API of the encoding stage: the CSR graph type, the MGE (multipartite) and per-layer BGE
 * (rolled, rolled-channel, unrolled) encoders, edge fingerprints, and graph export.
 */
export * from "./csr";
export * from "./plan";
export * from "./mge";
export * from "./bge";
export * from "./fingerprint";
export * from "./export";
export * from "./in-adjacency";
export * from "./undirected-simple";
