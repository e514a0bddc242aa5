/**
 * Architecture specifications: plain data, independent of tfjs, shared by the tfjs model builder
 * (src/nn/model*.ts), the pruners, the graph encoders and the experiment grid.
 *
 * Every parametric layer carries `name`, the PyTorch module path of the official models
 * (e.g. "layer1.0.conv1"), so its weight is `${name}.weight` exactly as in their state_dict and
 * weights exported from PyTorch load unchanged. Tensor layouts follow PyTorch too:
 * conv [out, in/groups, kh, kw], linear [out, in].
 */
export interface Conv2dSpec {
  readonly kind: "conv2d";
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  /** 1 = dense conv; inChannels = depthwise. Other values are not supported by the encoders. */
  readonly groups: number;
  readonly bias: boolean;
  /** "residual" for projection shortcuts (module path contains "shortcut"/"downsample", as the reference detects). */
  readonly role: "conv" | "residual";
}

export interface LinearSpec {
  readonly kind: "linear";
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
}

export interface BatchNormSpec {
  readonly kind: "batchnorm";
  readonly name: string;
  readonly features: number;
}

export interface PoolSpec {
  readonly kind: "maxpool" | "avgpool";
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/** Average over the whole remaining feature map (functional `F.avg_pool2d` in the ResNets/WRN). */
export interface GlobalAvgPoolSpec {
  readonly kind: "globalavgpool";
}

export interface FlattenSpec {
  readonly kind: "flatten";
}

export interface ActivationSpec {
  readonly kind: "relu" | "relu6";
}

/**
 * out = post( body(pre(x)) + shortcut(shortcutFromPre ? pre(x) : x) ).
 * `shortcut` empty = identity shortcut (no weights, absent from the MGE unless asked for).
 * ResNet BasicBlock (option B): pre [], body [conv, bn, relu, conv, bn], shortcut [conv1x1, bn] or [], post [relu].
 * WRN pre-activation block: pre [bn, relu], shortcutFromPre = true when a convShortcut exists.
 */
export interface ResidualSpec {
  readonly kind: "residual";
  readonly name: string;
  readonly pre: readonly LayerSpec[];
  readonly body: readonly LayerSpec[];
  readonly shortcut: readonly LayerSpec[];
  readonly shortcutFromPre: boolean;
  readonly post: readonly LayerSpec[];
}

export type LayerSpec =
  | Conv2dSpec
  | LinearSpec
  | BatchNormSpec
  | PoolSpec
  | GlobalAvgPoolSpec
  | FlattenSpec
  | ActivationSpec
  | ResidualSpec;

export interface ArchSpec {
  /** Canonical id: "conv6", "resnet20", "resnet32", "wrn28-2", "mobilenetv2", "lenet300-100", "lenet5", … */
  readonly name: string;
  readonly inputChannels: number;
  /** Square input side in pixels (CIFAR 32, Fashion-MNIST 28). */
  readonly inputSize: number;
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
}

/** Options every architecture builder takes. */
export interface ArchOptions {
  inputSize?: number;
  inputChannels?: number;
  classes?: number;
  /** Multiplies every hidden width (rounded, at least 1). */
  widthMultiplier?: number;
}
