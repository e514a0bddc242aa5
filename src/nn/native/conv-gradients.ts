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

/** Registers the six gradients (idempotent per process: re-registering replaces them). */
export function registerNativeConvGradients(): void {
  const previousConv = tf.getGradient("Conv2D");
  const previousDepthwise = tf.getGradient("DepthwiseConv2dNative");

  tf.registerGradient({
    kernelName: "Conv2D",
    inputsToSave: ["x", "filter"],
    gradFunc: (dyIn, saved, attrs) => {
      if (dilated(attrs)) return previousConv.gradFunc(dyIn, saved, attrs);
      const dy = dyIn as T4;
      const [x, w] = saved as [T4, T4];
      const { strides, pad, dimRoundingMode } = attrs as Attrs;
      return {
        x: () => run("Conv2DBackpropInput", { dy, filter: w }, { strides, pad, dataFormat: "NHWC", dimRoundingMode, inputShape: x.shape }),
        filter: () => run("Conv2DBackpropFilter", { x, dy }, { strides, pad, dataFormat: "NHWC", dimRoundingMode, filterShape: w.shape }),
      };
    },
  });

  tf.registerGradient({
    kernelName: "Conv2DBackpropFilter",
    inputsToSave: ["x", "dy"],
    gradFunc: (vIn, saved, attrs) => {
      const v = vIn as T4;
      const [x, dy] = saved as [T4, T4];
      const { strides, pad, dimRoundingMode } = attrs as Attrs;
      return {
        x: () => run("Conv2DBackpropInput", { dy, filter: v }, { strides, pad, dataFormat: "NHWC", dimRoundingMode, inputShape: x.shape }),
        dy: () => run("Conv2D", { x, filter: v }, { strides, pad, dataFormat: "NHWC", dilations: 1, dimRoundingMode }),
      };
    },
  });

  tf.registerGradient({
    kernelName: "DepthwiseConv2dNative",
    inputsToSave: ["x", "filter"],
    gradFunc: (dyIn, saved, attrs) => {
      if (dilated(attrs)) return previousDepthwise.gradFunc(dyIn, saved, attrs);
      const dy = dyIn as T4;
      const [x, w] = saved as [T4, T4];
      const { strides, pad, dimRoundingMode } = attrs as Attrs;
      return {
        x: () => run("DepthwiseConv2dNativeBackpropInput", { dy, filter: w }, { strides, pad, dilations: 1, dimRoundingMode, inputShape: x.shape }),
        filter: () => run("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { strides, pad, dilations: 1, dimRoundingMode, filterShape: w.shape }),
      };
    },
  });

  tf.registerGradient({
    kernelName: "DepthwiseConv2dNativeBackpropInput",
    inputsToSave: ["dy", "filter"],
    gradFunc: (uIn, saved, attrs) => {
      const u = uIn as T4;
      const [dy, w] = saved as [T4, T4];
      const { strides, pad, dimRoundingMode } = attrs as Attrs;
      return {
        dy: () => run("DepthwiseConv2dNative", { x: u, filter: w }, { strides, pad, dilations: 1, dimRoundingMode }),
        filter: () => run("DepthwiseConv2dNativeBackpropFilter", { x: u, dy }, { strides, pad, dilations: 1, dimRoundingMode, filterShape: w.shape }),
      };
    },
  });

  tf.registerGradient({
    kernelName: "DepthwiseConv2dNativeBackpropFilter",
    inputsToSave: ["x", "dy"],
    gradFunc: (vIn, saved, attrs) => {
      const v = vIn as T4;
      const [x, dy] = saved as [T4, T4];
      const { strides, pad, dimRoundingMode } = attrs as Attrs;
      return {
        x: () => run("DepthwiseConv2dNativeBackpropInput", { dy, filter: v }, { strides, pad, dilations: 1, dimRoundingMode, inputShape: x.shape }),
        dy: () => run("DepthwiseConv2dNative", { x, filter: v }, { strides, pad, dilations: 1, dimRoundingMode }),
      };
    },
  });
}
