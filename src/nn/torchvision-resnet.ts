/**
 * torchvision's ImageNet ResNets (He et al., CVPR 2016; torchvision.models.resnet, v1.5: the stride
 * of a bottleneck sits on its 3×3 conv) as DAGs, with torchvision's state_dict names
 * (`conv1`, `bn1`, `layer{1..4}.{i}.conv{1,2,3}`, `layer{i}.0.downsample.0`, `fc`), so weights exported
 * from torchvision load unchanged. Stem: conv 7×7/2 pad 3, BN, ReLU, max-pool 3×3/2 pad 1; head:
 * adaptive average pool to 1×1, flatten, fc. Building is O(layers).
 */
import type { DagNode, DagOp, DagSpec, Pair, Pads } from "./dag";

export type TorchvisionResnet = "resnet18" | "resnet34" | "resnet50" | "resnet101" | "resnet152";

const CONFIG: Record<TorchvisionResnet, { bottleneck: boolean; blocks: [number, number, number, number] }> = {
  resnet18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  resnet34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  resnet50: { bottleneck: true, blocks: [3, 4, 6, 3] },
  resnet101: { bottleneck: true, blocks: [3, 4, 23, 3] },
  resnet152: { bottleneck: true, blocks: [3, 8, 36, 3] },
};

export interface TorchvisionResnetOptions {
  /** Square input side (default 224). */
  readonly inputSize?: number;
  /** Default 1000. */
  readonly classes?: number;
}

/**
 * @example const dag = torchvisionResnet("resnet50", { inputSize: 224 });
 * @throws on an unknown depth or an input too small for the stem and four stages.
 */
export function torchvisionResnet(name: TorchvisionResnet, options: TorchvisionResnetOptions = {}): DagSpec {
  const cfg = CONFIG[name];
  if (!cfg) throw new Error(`nn/torchvision-resnet: unknown model '${String(name)}' (${Object.keys(CONFIG).join(", ")})`);
  const size = options.inputSize ?? 224;
  const classes = options.classes ?? 1000;
  if (!(Number.isInteger(size) && size >= 32)) throw new Error(`nn/torchvision-resnet: ${name}: input size must be an integer ≥ 32, got ${size}`);
  if (!(Number.isInteger(classes) && classes >= 1)) throw new Error(`nn/torchvision-resnet: ${name}: classes must be a positive integer, got ${classes}`);
  const nodes: DagNode[] = [];
  const add = (nodeName: string, op: DagOp, inputs: string[]): string => {
    nodes.push({ name: nodeName, op, inputs });
    return nodeName;
  };
  const p = (v: number): Pads => [v, v, v, v];
  const sq = (v: number): Pair => [v, v];
  const conv = (n: string, x: string, cin: number, cout: number, k: number, s: number, pad: number, role: "conv" | "residual" = "conv"): string =>
    add(n, { kind: "conv2d", weight: `${n}.weight`, inChannels: cin, outChannels: cout, kernel: sq(k), stride: sq(s), padding: p(pad), dilation: [1, 1], groups: 1, bias: false, role }, [x]);
  const bn = (n: string, x: string, c: number): string => add(n, { kind: "batchnorm", features: c }, [x]);
  const relu = (n: string, x: string): string => add(n, { kind: "activation", fn: "relu" }, [x]);

  let x = conv("conv1", "input", 3, 64, 7, 2, 3);
  x = relu("relu", bn("bn1", x, 64));
  x = add("maxpool", { kind: "maxpool", kernel: sq(3), stride: sq(2), padding: p(1), dilation: [1, 1], ceilMode: false }, [x]);
  const expansion = cfg.bottleneck ? 4 : 1;
  let inPlanes = 64;
  for (let s = 0; s < 4; s++) {
    const planes = 64 << s;
    for (let b = 0; b < cfg.blocks[s]; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const pre = `layer${s + 1}.${b}`;
      let y: string;
      if (cfg.bottleneck) {
        y = relu(`${pre}.relu1`, bn(`${pre}.bn1`, conv(`${pre}.conv1`, x, inPlanes, planes, 1, 1, 0), planes));
        y = relu(`${pre}.relu2`, bn(`${pre}.bn2`, conv(`${pre}.conv2`, y, planes, planes, 3, stride, 1), planes));
        y = bn(`${pre}.bn3`, conv(`${pre}.conv3`, y, planes, planes * 4, 1, 1, 0), planes * 4);
      } else {
        y = relu(`${pre}.relu1`, bn(`${pre}.bn1`, conv(`${pre}.conv1`, x, inPlanes, planes, 3, stride, 1), planes));
        y = bn(`${pre}.bn2`, conv(`${pre}.conv2`, y, planes, planes, 3, 1, 1), planes);
      }
      let sc = x;
      if (stride !== 1 || inPlanes !== planes * expansion) {
        sc = bn(`${pre}.downsample.1`, conv(`${pre}.downsample.0`, x, inPlanes, planes * expansion, 1, stride, 0, "residual"), planes * expansion);
      }
      x = relu(`${pre}.relu`, add(`${pre}.add`, { kind: "add" }, [y, sc]));
      inPlanes = planes * expansion;
    }
  }
  x = add("avgpool", { kind: "adaptivepool", mode: "avg", output: [1, 1] }, [x]);
  x = add("flatten", { kind: "flatten" }, [x]);
  x = add("fc", { kind: "linear", weight: "fc.weight", inFeatures: inPlanes, outFeatures: classes, bias: true }, [x]);
  return { kind: "dag", name, input: { name: "input", channels: 3, height: size, width: size }, nodes, output: x };
}
