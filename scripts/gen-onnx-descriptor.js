#!/usr/bin/env node
// Regenerates src/io/onnx/onnx-descriptor.json (protobufjs's JSON form of src/io/onnx/onnx.proto),
// which the ONNX reader loads: a JSON import travels into dist/ with tsc, a .proto would not.
// tests/io/onnx.test.ts checks that the committed descriptor matches the .proto.
"use strict";
const path = require("node:path");
const { writeFileSync } = require("node:fs");
const protobuf = require("protobufjs");

const dir = path.resolve(__dirname, "..", "src", "io", "onnx");
const root = protobuf.loadSync(path.join(dir, "onnx.proto"));
writeFileSync(path.join(dir, "onnx-descriptor.json"), JSON.stringify(root.toJSON(), null, 1) + "\n");
