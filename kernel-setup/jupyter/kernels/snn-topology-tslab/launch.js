// Starts the project's own tslab (node_modules/tslab) with the project root as working directory.
// tslab type-checks cells with TypeScript rootDir = process.cwd(), so every local .ts file a notebook
// imports must lie under the kernel's cwd; Jupyter would otherwise start the kernel in the
// notebook's folder. Notebooks therefore import "./src/..." and read data paths relative to the
// project root, both headless (nbconvert) and in the notebook server.
"use strict";
const path = require("path");
const fs = require("fs");

const root = path.resolve(__dirname, "..", "..", "..", "..");
const main = path.join(root, "node_modules", "tslab", "dist", "main.js");
if (!fs.existsSync(main)) {
  process.stderr.write(
    `snn-topology kernel: ${main} is missing; run "npm ci" in ${root} first.\n`,
  );
  process.exit(1);
}
if (!process.argv[2]) {
  process.stderr.write("snn-topology kernel: usage: node launch.js <jupyter connection file>\n");
  process.exit(2);
}
process.chdir(root);
require(main).startKernel({ configPath: process.argv[2] });
