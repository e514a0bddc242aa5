/** Public API of the encoding stage: CSR graph type, MGE and BGE encoders, fingerprints, export. */
export * from "./csr";
export * from "./plan";
export * from "./mge";
export * from "./fingerprint";
