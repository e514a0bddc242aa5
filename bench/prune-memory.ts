// Calibration of src/pruning/memory.ts: peak memory of one gradient pass and one Hessian-vector
// product (the passes SNIP, GraSP and ProsPr chunk) on the wasm backend, for several models and
// chunk sizes, next to the estimate. Two figures per run:
//   - tensors: tfjs's peak tensor bytes during the pass (tf.profile), minus what was held before;
//   - heap: growth of the wasm linear memory (it only grows), i.e. what the 4 GiB cap sees.
// Each (model, kind) runs in its own process (the heap is a high-water mark), n ascending.
// Run: flock /tmp/snn-heavy.lock node --import tsx bench/prune-memory.ts            (all)
//      node --import tsx bench/prune-memory.ts one <arch> <kind> <n,n,...> [width]   (one process)
import { execFileSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend, wasmHeapSize } from "../src/nn/backend";
import { buildArchitecture } from "../src/nn/architectures";
import { buildModel } from "../src/nn/model";
import { crossEntropy } from "../src/nn/loss";
import { activationFloats, estimatePassBytes, parameterFloats, type PassKind } from "../src/pruning/memory";
import { Rng } from "../src/util/rng";

const MiB = 1024 ** 2;

async function one(arch: string, kind: PassKind, ns: number[], width: number): Promise<void> {
  await initBackend("wasm");
  const mnist = arch.startsWith("lenet");
  const spec = buildArchitecture(arch, mnist ? { widthMultiplier: width } : { inputSize: 32, inputChannels: 3, classes: 10, widthMultiplier: width });
  const model = buildModel(spec, { seed: 0 });
  const names = [...model.params.keys()];
  const P = names.map((n) => model.params.get(n)! as tf.Tensor);
  const rng = new Rng(1);
  for (const n of ns) {
    const xs = new Float32Array(n * spec.inputSize * spec.inputSize * spec.inputChannels);
    for (let i = 0; i < xs.length; i++) xs[i] = rng.normal();
    const ys = new Float32Array(n * spec.classes);
    for (let i = 0; i < n; i++) ys[i * spec.classes + (i % spec.classes)] = 1;
    const x = tf.tensor4d(xs, [n, spec.inputSize, spec.inputSize, spec.inputChannels]);
    const y = tf.tensor2d(ys, [n, spec.classes]);
    const v = P.map((p) => tf.randomNormal(p.shape));
    const loss = (q: tf.Tensor[]): tf.Scalar => tf.mul(crossEntropy(model.forward(x, { training: true }, new Map(names.map((nm, j) => [nm, q[j]]))), y), 0.5) as tf.Scalar;
    const heap0 = wasmHeapSize() ?? 0;
    const held0 = tf.memory().numBytes;
    const t0 = Date.now();
    let out: tf.Tensor[] = [];
    const prof = await tf.profile(() => {
      out =
        kind === "grad"
          ? tf.tidy(() => tf.grads((...q: tf.Tensor[]) => loss(q))(P))
          : tf.tidy(() =>
              tf.grads((...q: tf.Tensor[]) => {
                const g = tf.grads((...r: tf.Tensor[]) => loss(r))(q);
                return tf.addN(g.map((gi, j) => tf.sum(tf.mul(gi, v[j])))) as tf.Scalar;
              })(P),
            );
      return out;
    });
    await out[0].data();
    const ms = Date.now() - t0;
    const heap1 = wasmHeapSize() ?? 0;
    const tensors = prof.peakBytes - held0;
    const est = estimatePassBytes(spec, kind, n);
    console.log(
      [
        `${arch}${width !== 1 ? `×${width}` : ""}`.padEnd(14),
        kind.padEnd(4),
        `n ${String(n).padStart(3)}`,
        `A ${(activationFloats(spec) * 4 / MiB).toFixed(2)} MiB/ex`,
        `P ${(parameterFloats(spec) * 4 / MiB).toFixed(1)} MiB`,
        `tensors ${(tensors / MiB).toFixed(0).padStart(5)} MiB`,
        `heap ${(heap1 / MiB).toFixed(0).padStart(5)} MiB (+${((heap1 - heap0) / MiB).toFixed(0)})`,
        `estimate ${(est / MiB).toFixed(0).padStart(5)} MiB`,
        `tensors/est ${(tensors / est).toFixed(2)}`,
        `heap/est ${(heap1 / est).toFixed(2)}`,
        `${ms} ms`,
      ].join("  "),
    );
    tf.dispose([x, y, ...v, ...out]);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "one") {
    await one(argv[1], argv[2] as PassKind, argv[3].split(",").map(Number), argv[4] ? Number(argv[4]) : 1);
    return;
  }
  const runs: Array<[string, string, number]> = [
    ["lenet5", "8,32,128", 1],
    ["conv6", "4,16,32", 0.25],
    ["conv6", "4,16,32", 1],
    ["resnet20", "4,16,32", 1],
    ["mobilenetv2", "2,8", 1],
    ["resnet32", "8,24", 1],
    ["wrn28-2", "4,12", 1],
  ];
  for (const [arch, ns, width] of runs) {
    for (const kind of ["grad", "hvp"]) {
      try {
        process.stdout.write(execFileSync(process.execPath, ["--import", "tsx", __filename, "one", arch, kind, ns, String(width)], { encoding: "utf8" }));
      } catch (e) {
        console.log(`${arch} ${kind} ${ns}: FAILED ${(e as Error).message.split("\n")[0]}`);
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
