/**
 * ReLU's gradient as one kernel a backend may provide (nn/native registers it on wasm, threaded on
 * oneDNN), instead of tfjs's `dy · cast(step(x))`: three single-threaded passes over the largest
 * activations of a step (Step, Cast, Multiply: 12 ms of a 270 ms ResNet-20 step on wasm).
 *
 * Contract: kernel `SnnReluGrad`, inputs {dy, x} of one shape, float32 → dy where x > 0, else 0
 * (tfjs's step(0) = 0, so x = 0 passes nothing, as in tfjs and PyTorch). Its own gradient is
 * registered below (the map is linear in dy and piecewise constant in x), so GraSP's H·g and
 * ProsPr's meta-gradient differentiate through it exactly, as through the composite.
 *
 * One difference from the composite: where x is NaN the composite gives NaN, the kernel 0
 * (oneDNN's `x > 0 ? dy : 0`); a NaN activation has already poisoned the loss by then.
 */
import * as tf from "@tensorflow/tfjs";

export const RELU_GRAD_KERNEL = "SnnReluGrad";

/** ∂relu(x)/∂x · dy: the kernel where the active backend has it for float32, the composite otherwise. */
export function reluBackward(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (dy.dtype === "float32" && x.dtype === "float32" && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), "float32"));
}

/**
 * Makes `Relu`'s gradient `reluBackward` and gives the kernel its gradient (nn/native calls this on
 * install and restores tfjs's `Relu` gradient on uninstall).
 */
export function registerReluGradient(): void {
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => reluBackward(dy as tf.Tensor, x) };
    },
  });
  tf.registerGradient({
    kernelName: RELU_GRAD_KERNEL,
    inputsToSave: ["x"],
    gradFunc: (u, saved) => {
      const [x] = saved;
      return { dy: () => reluBackward(u as tf.Tensor, x), x: () => tf.zerosLike(x) };
    },
  });
}
