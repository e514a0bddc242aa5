/** What the native-kernel tests share: when to skip, backend set-up, the error criterion. */
import assert from "node:assert/strict";
import fs from "node:fs";
import { initBackend } from "../../src/nn/backend";
import { nativeInfo } from "../../src/nn/native";
import { dnnlLibraryCandidates } from "../../src/nn/native/dnnl";

/** Skip reason for tests that need oneDNN (false when it is there and not turned off). */
export const nativeSkip: string | false =
  process.env.SNN_NATIVE === "0"
    ? "SNN_NATIVE=0"
    : !dnnlLibraryCandidates().some((p) => fs.existsSync(p)) && "oneDNN (libdnnl2) not installed: the wasm kernels are used";

/** wasm backend with the native kernels (a library that exists but does not load fails here). */
export async function nativeReady(): Promise<void> {
  await initBackend("wasm");
  assert.ok(nativeInfo().active, `native kernels not active: ${nativeInfo().reason}`);
}

/**
 * max |a − b| / max |b|: relative to the output's scale (elementwise relative error is meaningless
 * for outputs near 0, which sums of signed products produce).
 */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "output sizes differ");
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m === 0 ? d : d / m;
}
