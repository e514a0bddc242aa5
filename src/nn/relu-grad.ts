/**
 * ReLU's and ReLU6's gradients as kernels a backend may provide (nn/native registers them on wasm,
 * threaded on oneDNN), instead of tfjs's composites: `dy · cast(step(x))`, three single-threaded
 * passes over the largest activations of a step (Step, Cast, Multiply: 12 ms of a 270 ms ResNet-20
 * step on wasm), and for ReLU6 `dy · cast(lessEqual(x, 6) · step(x))`, five (LessEqual alone was
 * 57 ms of a 220 ms MobileNetV2 step at batch 128 on 2 threads).
 *
 * Contracts: kernel `SnnReluGrad`, inputs {dy, x} of one shape, float32 → dy where x > 0, else 0
 * (tfjs's step(0) = 0, so x = 0 passes nothing, as in tfjs and PyTorch); kernel `SnnRelu6Grad`,
 * the same inputs → dy where 0 < x ≤ 6 (tfjs's mask; PyTorch's hardtanh passes neither end). Their
 * own gradients are registered below (linear in dy, piecewise constant in x), so GraSP's H·g and
 * ProsPr's meta-gradient differentiate through them exactly, as through the composites.
 *
 * One difference from the composites: where x is NaN they give NaN, the kernels 0 (oneDNN's
 * comparisons are false); a NaN activation has already poisoned the loss by then.
 */
import * as tf from "@tensorflow/tfjs";

export const RELU_GRAD_KERNEL = "SnnReluGrad";
export const RELU6_GRAD_KERNEL = "SnnRelu6Grad";

const hasKernel = (name: string, dy: tf.Tensor, x: tf.Tensor): boolean =>
  dy.dtype === "float32" && x.dtype === "float32" && tf.getKernel(name, tf.getBackend()) !== undefined;

/** ∂relu(x)/∂x · dy: the kernel where the active backend has it for float32, the composite otherwise. */
export function reluBackward(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (hasKernel(RELU_GRAD_KERNEL, dy, x)) return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), "float32"));
}

/** ∂relu6(x)/∂x · dy (tfjs's mask: 0 < x ≤ 6): the kernel where the active backend has it for float32, the composite otherwise. */
export function relu6Backward(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (hasKernel(RELU6_GRAD_KERNEL, dy, x)) return tf.engine().runKernel(RELU6_GRAD_KERNEL, { dy, x }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.mul(tf.lessEqual(x, 6), tf.step(x)), "float32"));
}

/**
 * Makes `Relu`'s and `Relu6`'s gradients `reluBackward` and `relu6Backward` and gives the kernels
 * their gradients (nn/native calls this on install and restores tfjs's gradients on uninstall).
 */
export function registerReluGradient(): void {
  tf.registerGradient({
    kernelName: "Relu6",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => relu6Backward(dy as tf.Tensor, x) };
    },
  });
  tf.registerGradient({
    kernelName: RELU6_GRAD_KERNEL,
    inputsToSave: ["x"],
    gradFunc: (u, saved) => {
      const [x] = saved;
      return { dy: () => relu6Backward(u as tf.Tensor, x), x: () => tf.zerosLike(x) };
    },
  });
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
