/**
 * tfjs kernel registrations (backend "wasm") that run Conv2D, DepthwiseConv2dNative and their
 * input/filter gradients on oneDNN (./conv). A call the native path does not take (non-float32,
 * NCHW, empty tensors, a shape oneDNN has no implementation for) goes to the wasm backend's own
 * kernel; the filter gradients, which wasm lacks, throw instead (the replacement gradients of
 * nn/gradients never call them).
 */
import * as tf from "@tensorflow/tfjs";
import { replaceWasmKernel } from "../wasm-kernel";
import { convInfo, runConv, type ConvPass } from "./conv";
import type { NativeContext } from "./primitive-cache";
import type { WasmBackendLike } from "./wasm-heap";

type Attrs = Record<string, unknown>;
type ConvAttrs = Parameters<typeof convInfo>[2];

interface KernelSpec {
  name: string;
  depthwise: boolean;
  pass: ConvPass;
  /** Names of the two inputs in tfjs's order. */
  inputs: [string, string];
  /** Shapes for computeConv2DInfo: [x shape, filter shape]. */
  shapes: (a: tf.TensorInfo, b: tf.TensorInfo, attrs: Attrs) => [number[], number[]];
}

const SPECS: KernelSpec[] = [
  { name: "Conv2D", depthwise: false, pass: "forward", inputs: ["x", "filter"], shapes: (x, f) => [x.shape, f.shape] },
  {
    name: "Conv2DBackpropInput",
    depthwise: false,
    pass: "backwardData",
    inputs: ["dy", "filter"],
    shapes: (_dy, f, attrs) => [attrs.inputShape as number[], f.shape],
  },
  {
    name: "Conv2DBackpropFilter",
    depthwise: false,
    pass: "backwardWeights",
    inputs: ["x", "dy"],
    shapes: (x, _dy, attrs) => [x.shape, attrs.filterShape as number[]],
  },
  { name: "DepthwiseConv2dNative", depthwise: true, pass: "forward", inputs: ["x", "filter"], shapes: (x, f) => [x.shape, f.shape] },
  {
    name: "DepthwiseConv2dNativeBackpropInput",
    depthwise: true,
    pass: "backwardData",
    inputs: ["dy", "filter"],
    shapes: (_dy, f, attrs) => [attrs.inputShape as number[], f.shape],
  },
  {
    name: "DepthwiseConv2dNativeBackpropFilter",
    depthwise: true,
    pass: "backwardWeights",
    inputs: ["x", "dy"],
    shapes: (x, _dy, attrs) => [x.shape, attrs.filterShape as number[]],
  },
];

/** Kernel names this file registers for "wasm". */
export const NATIVE_CONV_KERNELS = SPECS.map((s) => s.name);

/** Registers the native conv kernels on the wasm backend (replacing wasm's own where it has one). */
export function registerConvKernels(ctx: NativeContext): void {
  for (const spec of SPECS) {
    replaceWasmKernel(spec.name, (args, fallback) => {
      const a = args.inputs[spec.inputs[0]];
      const b = args.inputs[spec.inputs[1]];
      const attrs = args.attrs as Attrs;
      if (a && b && a.dtype === "float32" && b.dtype === "float32") {
        const [xs, fs] = spec.shapes(a, b, attrs);
        const c = convInfo(xs, fs, attrs as unknown as ConvAttrs, spec.depthwise);
        if (c) {
          const out = runConv(ctx, args.backend as unknown as WasmBackendLike, c, spec.depthwise, spec.pass, a, b);
          if (out) return out;
        }
      }
      return fallback(
        args,
        `${spec.inputs[0]} [${a?.shape.join(",")}] ${a?.dtype}, ${spec.inputs[1]} [${b?.shape.join(",")}] ${b?.dtype} (attrs ${JSON.stringify(attrs)})`,
      );
    });
  }
}
