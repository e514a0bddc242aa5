#!/usr/bin/env node
// Runs the TypeScript CLI straight from src/ through tsx, so the command never lags behind
// the sources (dist/ is only the compiled library for `require("snn-topology")`).
"use strict";
require("tsx/cjs");
require("../src/cli/main.ts")
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => {
    process.stderr.write(`snn-topology: ${err && err.message ? err.message : String(err)}\n`);
    if (process.env.SNN_DEBUG) process.stderr.write(`${err && err.stack}\n`);
    process.exitCode = 1;
  });
