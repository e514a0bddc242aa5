/**
 * A residual block's closing `relu(a + b)` as one op, so that a backend kernel can make one pass
 * where tfjs makes two (Add, then Relu: two kernel dispatches and a full intermediate tensor).
 * nn/native registers the kernel on wasm (oneDNN's binary add with a ReLU post-op, threaded); without
 * it the composite `tf.relu(tf.add(a, b))` runs, as before.
 *
 * Contract: kernel `SnnAddRelu`, inputs {a, b} of one shape, float32 → max(a + b, 0), the float32
 * sum rounded once and then clamped: bit for bit the composite's output. Its gradient is
 * `reluBackward(dy, y)` for both inputs: y > 0 exactly where a + b > 0 (y is that sum or 0), so it
 * equals the composite's `reluBackward(dy, a + b)`; it is differentiable (nn/relu-grad), so GraSP's
 * H·g and ProsPr's meta-gradient go through the op as through the composite. Complexity O(size).
 */
import * as tf from "@tensorflow/tfjs";
import { reluBackward } from "./relu-grad";
import { sameShape } from "./tensors";

export const ADD_RELU_KERNEL = "SnnAddRelu";

/**
 * max(a + b, 0): the backend's fused kernel for same-shape float32 inputs where it has one, the
 * composite `tf.relu(tf.add(a, b))` otherwise (broadcasting included).
 * @example
 *   const out = addRelu(body, shortcut); // a residual block's output
 */
export function addRelu(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.dtype === "float32" && b.dtype === "float32" && sameShape(a.shape, b.shape) && tf.getKernel(ADD_RELU_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(ADD_RELU_KERNEL, { a, b }) as tf.Tensor;
  }
  return tf.relu(tf.add(a, b));
}

/** Gives the kernel its gradient (nn/native calls this when it registers the kernel). */
export function registerAddReluGradient(): void {
  tf.registerGradient({
    kernelName: ADD_RELU_KERNEL,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      // one pass for both inputs; b gets its own tensor object over the same data, as tfjs's Add
      // gradient gives each input, so that accumulating into one never disposes the other
      const g = reluBackward(dy as tf.Tensor, y);
      return { a: () => g, b: () => tf.reshape(g, g.shape) };
    },
  });
}
