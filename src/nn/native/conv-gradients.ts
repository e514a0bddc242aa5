/**
 * Convolution gradients for the native path: dx and dW of Conv2D / DepthwiseConv2dNative as the
 * backprop kernels themselves (oneDNN's backward-data and backward-weights passes), instead of
 * nn/gradients' rewrites as forward convolutions (zero-inserted dy, batch/channel-swapped x with a
 * feature-map-sized filter), which suit XNNPACK but are the slowest possible shapes for oneDNN.
 *
 * Second order (GraSP's H·g, ProsPr's meta-gradient) differentiates the gradients again, so the
 * backprop kernels get their own gradients here, all in closed form (bilinear maps):
 *   dx = Bᵢ(dy, W)   →  ∂⟨u, dx⟩/∂dy = conv(u, W),   ∂⟨u, dx⟩/∂W = B_w(u, dy)
 *   dW = B_w(x, dy)  →  ∂⟨v, dW⟩/∂x = Bᵢ(dy, v),     ∂⟨v, dW⟩/∂dy = conv(x, v)
 * (tfjs's stock Conv2DBackpropInput gradient already has this form and is kept.) Dilated convs
 * keep nn/gradients' form. Gradients are global in tfjs, so these also apply off wasm, where the
 * cpu backend has all six kernels.
 */
import * as tf from "@tensorflow/tfjs";

type Attrs = Record<string, unknown>;
type T4 = tf.Tensor4D;

function dilated(attrs: Attrs): boolean {
  const d = attrs.dilations;
  if (d === undefined || d === 1) return false;
  return Array.isArray(d) ? d.some((v) => v !== 1) : true;
}

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Attrs): T4 {
  return tf.engine().runKernel(kernel, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as T4;
}

/** The three kernels of one convolution kind and the attributes every call of that kind carries. */
interface ConvFamily {
  readonly forward: string;
  readonly backInput: string;
  readonly backFilter: string;
  readonly base: Attrs;
  /** tfjs's stock Conv2DBackpropInput gradient already has the closed form and is kept. */
  readonly backInputGradient: boolean;
}

const FAMILIES: readonly ConvFamily[] = [
  { forward: "Conv2D", backInput: "Conv2DBackpropInput", backFilter: "Conv2DBackpropFilter", base: { dataFormat: "NHWC" }, backInputGradient: false },
  {
    forward: "DepthwiseConv2dNative",
    backInput: "DepthwiseConv2dNativeBackpropInput",
    backFilter: "DepthwiseConv2dNativeBackpropFilter",
    base: { dilations: 1 },
    backInputGradient: true,
  },
];

function registerFamily(f: ConvFamily): void {
  const previous = tf.getGradient(f.forward);
  const geometry = (attrs: Attrs): Attrs => {
    const { strides, pad, dimRoundingMode } = attrs;
    return { strides, pad, dimRoundingMode, ...f.base };
  };
  const conv = (x: T4, w: T4, attrs: Attrs) => run(f.forward, { x, filter: w }, { ...geometry(attrs), dilations: 1 });
  const dx = (dy: T4, w: T4, inputShape: number[], attrs: Attrs) => run(f.backInput, { dy, filter: w }, { ...geometry(attrs), inputShape });
  const dw = (x: T4, dy: T4, filterShape: number[], attrs: Attrs) => run(f.backFilter, { x, dy }, { ...geometry(attrs), filterShape });

  tf.registerGradient({
    kernelName: f.forward,
    inputsToSave: ["x", "filter"],
    gradFunc: (dyIn, saved, attrs) => {
      if (dilated(attrs)) return previous.gradFunc(dyIn, saved, attrs);
      const dy = dyIn as T4;
      const [x, w] = saved as [T4, T4];
      return { x: () => dx(dy, w, x.shape, attrs), filter: () => dw(x, dy, w.shape, attrs) };
    },
  });

  tf.registerGradient({
    kernelName: f.backFilter,
    inputsToSave: ["x", "dy"],
    gradFunc: (vIn, saved, attrs) => {
      const v = vIn as T4;
      const [x, dy] = saved as [T4, T4];
      return { x: () => dx(dy, v, x.shape, attrs), dy: () => conv(x, v, attrs) };
    },
  });

  if (!f.backInputGradient) return;
  tf.registerGradient({
    kernelName: f.backInput,
    inputsToSave: ["dy", "filter"],
    gradFunc: (uIn, saved, attrs) => {
      const u = uIn as T4;
      const [dy, w] = saved as [T4, T4];
      return { dy: () => conv(u, w, attrs), filter: () => dw(u, dy, w.shape, attrs) };
    },
  });
}

/** Registers the five gradients (idempotent per process: re-registering replaces them). */
export function registerNativeConvGradients(): void {
  for (const f of FAMILIES) registerFamily(f);
}
