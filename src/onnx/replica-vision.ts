/**
 * Replicas of torchvision's image classifiers and of ViT, as an eval-mode ONNX export has them: BatchNorm folded
 * into the preceding Conv (which then has a bias), ReLU6 as Clip, pooling, the classifier as Gemm (transB = 1,
 * [out, in] weights); input `pixel_values` [1, 3, S, S]. Synthetic weights. Shapes are tracked while building,
 * which gives the multiply-accumulate count (the convention of torchvision's "GFLOPS" labels: conv and linear
 * MACs, and for ViT the attention matmuls; no norms, activations or pooling) and the activation estimate.
 *
 * `activationBytes` is the largest (inputs + output) of any one node, fp32, batch 1, weights not included: what
 * a runtime must hold at once at the least (e.g. ResNet-50's first residual Add, 3 × 256 × 56 × 56 floats). Tensors
 * kept alive past their node (a skip connection across a block) come on top, so it is a floor, not a ceiling.
 *
 * Folding BN changes the parameter count slightly against torchvision's, which counts BN's weight and bias
 * (2 per channel) where the export has one bias per channel.
 */
import type { CnnConfig, VisionConfig, VitConfig } from '../core/arch/vision.ts';
import { InvalidInputError } from '../core/vocab.ts';
import { GraphBuilder, tensorInfo } from './graph-builder.ts';
import { DataType } from './onnx-schema.ts';
import type { ReplicaGraph } from './replica-types.ts';

/** A feature map: its value name and [channels, height, width] (batch 1). */
interface Map3 {
  name: string;
  c: number;
  h: number;
  w: number;
}

type Act = 'relu' | 'relu6' | null;

/** Graph plus shape bookkeeping: every helper returns the new map and counts MACs and live bytes. */
class VisionBuilder {
  readonly g = new GraphBuilder();
  macs = 0;
  peakBytes = 0;
  private n = 0;

  constructor(readonly divisor: number) {}

  /** A width from the architecture, shrunk by the test divisor (at least 1). */
  ch(c: number): number {
    return Math.max(1, Math.round(c / this.divisor));
  }

  /** One node's activations, inputs and output, in elements (see activationBytes above). */
  live(...elements: number[]): void {
    this.peakBytes = Math.max(this.peakBytes, 4 * elements.reduce((a, b) => a + b, 0));
  }

  conv(x: Map3, cout: number, k: number, stride = 1, pad = 0, groups = 1, act: Act = 'relu', name = `conv${this.n++}`): Map3 {
    if (x.c % groups !== 0 || cout % groups !== 0) throw new Error(`${name}: ${x.c} → ${cout} channels do not split into ${groups} groups`);
    const h = Math.floor((x.h + 2 * pad - k) / stride) + 1;
    const w = Math.floor((x.w + 2 * pad - k) / stride) + 1;
    // He initialisation (std √(2 / fan-in)): without norms between convs, activations keep their scale through
    // fifty layers instead of shrinking into denormals, which CPUs compute far more slowly.
    const weight = this.g.param(`${name}.weight`, [cout, x.c / groups, k, k], { kind: 'normal', std: Math.sqrt(2 / ((x.c / groups) * k * k)) });
    const bias = this.g.param(`${name}.bias`, [cout], { kind: 'const', mean: 0 });
    let y = this.g.op('Conv', [x.name, weight, bias], `/${name}/Conv`, {
      kernel_shape: { ints: [k, k] },
      strides: { ints: [stride, stride] },
      pads: { ints: [pad, pad, pad, pad] },
      group: { int: groups },
    });
    if (act === 'relu') y = this.g.op('Relu', [y], `/${name}/Relu`);
    if (act === 'relu6') y = this.g.op('Clip', [y, this.g.float(0), this.g.float(6)], `/${name}/Clip`);
    this.macs += cout * h * w * (x.c / groups) * k * k;
    this.live(x.c * x.h * x.w, cout * h * w);
    if (act) this.live(2 * cout * h * w);
    return { name: y, c: cout, h, w };
  }

  maxPool(x: Map3, k: number, stride: number, pad = 0, ceil = false): Map3 {
    const size = (n: number) => {
      const raw = (n + 2 * pad - k) / stride;
      let out = (ceil ? Math.ceil(raw) : Math.floor(raw)) + 1;
      // PyTorch's ceil mode drops a last window that would start inside the right padding.
      if (ceil && (out - 1) * stride >= n + pad) out--;
      return out;
    };
    const y = this.g.op('MaxPool', [x.name], `/pool${this.n++}/MaxPool`, {
      kernel_shape: { ints: [k, k] },
      strides: { ints: [stride, stride] },
      pads: { ints: [pad, pad, pad, pad] },
      ceil_mode: { int: ceil ? 1 : 0 },
    });
    const out = { name: y, c: x.c, h: size(x.h), w: size(x.w) };
    this.live(x.c * x.h * x.w, out.c * out.h * out.w);
    return out;
  }

  /** torchvision's AdaptiveAvgPool2d(target) as the export has it: nothing when the map is already that size. */
  adaptivePool(x: Map3, target: number): Map3 {
    if (x.h === target && x.w === target) return x;
    // An export needs whole windows: torch.onnx refuses an adaptive pool whose output size does not divide the input.
    if (x.h % target !== 0 || x.w % target !== 0)
      throw new InvalidInputError(`image_size gives a ${x.h}×${x.w} map before the classifier, which does not pool evenly to ${target}×${target}; 224 does.`);
    const k = x.h / target;
    const y = this.g.op('AveragePool', [x.name], `/avgpool${this.n++}/AveragePool`, { kernel_shape: { ints: [k, k] }, strides: { ints: [k, k] } });
    this.live(x.c * x.h * x.w, x.c * target * target);
    return { name: y, c: x.c, h: target, w: target };
  }

  /** Global average pool and flatten to [1, C]. */
  globalPool(x: Map3, path = '/avgpool', output?: string): string {
    this.live(x.c * x.h * x.w, x.c);
    return this.g.op('Flatten', [this.g.op('GlobalAveragePool', [x.name], `${path}/GlobalAveragePool`)], `${path}/Flatten`, { axis: { int: 1 } }, output);
  }

  concat(maps: Map3[]): Map3 {
    const y = this.g.op(
      'Concat',
      maps.map((m) => m.name),
      `/concat${this.n++}/Concat`,
      { axis: { int: 1 } },
    );
    const out = { name: y, c: maps.reduce((s, m) => s + m.c, 0), h: maps[0]!.h, w: maps[0]!.w };
    this.live(2 * out.c * out.h * out.w);
    return out;
  }

  add(a: Map3, b: Map3, act: Act = null): Map3 {
    let y = this.g.op('Add', [a.name, b.name], `/add${this.n++}/Add`);
    if (act === 'relu') y = this.g.op('Relu', [y], `/add${this.n++}/Relu`);
    this.live(3 * a.c * a.h * a.w);
    return { ...a, name: y };
  }

  /** Linear as torchvision exports it: Gemm with [out, in] weights (transB = 1) and a bias. */
  linear(x: string, inF: number, outF: number, name: string, act: Act = null, output?: string): string {
    this.macs += inF * outF;
    this.live(inF, outF);
    const weight = this.g.param(`${name}.weight`, [outF, inF], { kind: 'normal', std: Math.sqrt(1 / inF) });
    const bias = this.g.param(`${name}.bias`, [outF], { kind: 'const', mean: 0 });
    const y = this.g.op('Gemm', [x, weight, bias], `/${name}/Gemm`, { transB: { int: 1 } }, act ? undefined : output);
    return act === 'relu' ? this.g.op('Relu', [y], `/${name}/Relu`, {}, output) : y;
  }
}

// ---- the CNNs -----------------------------------------------------------------------------------------------

type Net = (b: VisionBuilder, x: Map3, classes: number, c: CnnConfig) => void;

const makeDivisible = (v: number, divisor = 8): number => {
  const out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return out < 0.9 * v ? out + divisor : out;
};

const mobilenetV2: Net = (b, x, classes, c) => {
  const width = (n: number) => b.ch(makeDivisible(n * c.width_mult));
  let y = b.conv(x, width(32), 3, 2, 1, 1, 'relu6');
  for (const [t, cOut, n, s] of [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const out = width(cOut);
      const hidden = Math.round(y.c * t);
      const input = y;
      let h = t === 1 ? y : b.conv(y, hidden, 1, 1, 0, 1, 'relu6');
      h = b.conv(h, hidden, 3, i === 0 ? s : 1, 1, hidden, 'relu6');
      h = b.conv(h, out, 1, 1, 0, 1, null);
      y = (i === 0 ? s : 1) === 1 && input.c === out ? b.add(input, h) : h;
    }
  }
  y = b.conv(y, b.ch(makeDivisible(1280 * Math.max(1, c.width_mult))), 1, 1, 0, 1, 'relu6');
  b.linear(b.globalPool(y), y.c, classes, 'classifier.1', null, 'logits');
};

const fire = (b: VisionBuilder, x: Map3, squeeze: number, e1: number, e3: number): Map3 => {
  const s = b.conv(x, b.ch(squeeze), 1);
  return b.concat([b.conv(s, b.ch(e1), 1), b.conv(s, b.ch(e3), 3, 1, 1)]);
};

const squeezenet =
  (v: '1_0' | '1_1'): Net =>
  (b, x, classes) => {
    let y = v === '1_0' ? b.conv(x, b.ch(96), 7, 2) : b.conv(x, b.ch(64), 3, 2);
    y = b.maxPool(y, 3, 2, 0, true);
    const fires: ([number, number, number] | 'M')[] =
      v === '1_0'
        ? [[16, 64, 64], [16, 64, 64], [32, 128, 128], 'M', [32, 128, 128], [48, 192, 192], [48, 192, 192], [64, 256, 256], 'M', [64, 256, 256]]
        : [[16, 64, 64], [16, 64, 64], 'M', [32, 128, 128], [32, 128, 128], 'M', [48, 192, 192], [48, 192, 192], [64, 256, 256], [64, 256, 256]];
    for (const f of fires) y = f === 'M' ? b.maxPool(y, 3, 2, 0, true) : fire(b, y, ...f);
    // The classifier is a 1×1 conv to the classes, ReLU, global average pool.
    b.globalPool(b.conv(y, classes, 1, 1, 0, 1, 'relu', 'classifier.1'), '/classifier', 'logits');
  };

const googlenet: Net = (b, x, classes) => {
  // BasicConv2d: conv (no bias) + BN (folded: a bias) + ReLU.
  let y = b.conv(x, b.ch(64), 7, 2, 3);
  y = b.maxPool(y, 3, 2, 0, true);
  y = b.conv(y, b.ch(64), 1);
  y = b.conv(y, b.ch(192), 3, 1, 1);
  y = b.maxPool(y, 3, 2, 0, true);
  const inception = (m: Map3, c1: number, r3: number, c3: number, r5: number, c5: number, pool: number): Map3 =>
    b.concat([
      b.conv(m, b.ch(c1), 1),
      b.conv(b.conv(m, b.ch(r3), 1), b.ch(c3), 3, 1, 1),
      // torchvision's "5×5" branch is a 3×3 (a known bug kept for its weights).
      b.conv(b.conv(m, b.ch(r5), 1), b.ch(c5), 3, 1, 1),
      b.conv(b.maxPool(m, 3, 1, 1, true), b.ch(pool), 1),
    ]);
  y = inception(y, 64, 96, 128, 16, 32, 32);
  y = inception(y, 128, 128, 192, 32, 96, 64);
  y = b.maxPool(y, 3, 2, 0, true);
  const stage4: [number, number, number, number, number, number][] = [
    [192, 96, 208, 16, 48, 64],
    [160, 112, 224, 24, 64, 64],
    [128, 128, 256, 24, 64, 64],
    [112, 144, 288, 32, 64, 64],
    [256, 160, 320, 32, 128, 128],
  ];
  for (const p of stage4) y = inception(y, ...p);
  y = b.maxPool(y, 2, 2, 0, true);
  y = inception(y, 256, 160, 320, 32, 128, 128);
  y = inception(y, 384, 192, 384, 48, 128, 128);
  b.linear(b.globalPool(y), y.c, classes, 'fc', null, 'logits');
};

const resnet =
  (groups: number, widthPerGroup: number): Net =>
  (b, x, classes) => {
    let y = b.conv(x, b.ch(64), 7, 2, 3);
    y = b.maxPool(y, 3, 2, 1);
    // Groups shrink with the widths at test size, so that each group keeps its width.
    const g = Math.max(1, Math.round(groups / b.divisor));
    for (const [stage, [blocks, planes]] of (
      [
        [3, 64],
        [4, 128],
        [6, 256],
        [3, 512],
      ] as const
    ).entries()) {
      const width = b.ch(Math.floor((planes * widthPerGroup) / 64) * groups);
      const out = b.ch(planes * 4);
      for (let i = 0; i < blocks; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        const input = y;
        let h = b.conv(y, width, 1);
        h = b.conv(h, width, 3, stride, 1, g);
        h = b.conv(h, out, 1, 1, 0, 1, null);
        const shortcut = i === 0 ? b.conv(input, out, 1, stride, 0, 1, null) : input;
        y = b.add(h, shortcut, 'relu');
      }
    }
    b.linear(b.globalPool(y), y.c, classes, 'fc', null, 'logits');
  };

/** VGG and AlexNet: conv features, an adaptive pool, and a 4096-wide MLP classifier. */
const classifierMlp = (b: VisionBuilder, y: Map3, pool: number, classes: number) => {
  const pooled = b.adaptivePool(y, pool);
  const flat = b.g.op('Flatten', [pooled.name], '/Flatten', { axis: { int: 1 } });
  const hidden = b.ch(4096);
  const f1 = b.linear(flat, pooled.c * pool * pool, hidden, 'classifier.0', 'relu');
  const f2 = b.linear(f1, hidden, hidden, 'classifier.3', 'relu');
  b.linear(f2, hidden, classes, 'classifier.6', null, 'logits');
};

const vgg16: Net = (b, x, classes) => {
  let y = x;
  for (const v of [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const)
    y = v === 'M' ? b.maxPool(y, 2, 2) : b.conv(y, b.ch(v), 3, 1, 1);
  classifierMlp(b, y, 7, classes);
};

const alexnet: Net = (b, x, classes) => {
  let y = b.maxPool(b.conv(x, b.ch(64), 11, 4, 2), 3, 2);
  y = b.maxPool(b.conv(y, b.ch(192), 5, 1, 2), 3, 2);
  y = b.conv(b.conv(b.conv(y, b.ch(384), 3, 1, 1), b.ch(256), 3, 1, 1), b.ch(256), 3, 1, 1);
  classifierMlp(b, b.maxPool(y, 3, 2), 6, classes);
};

const NETS: Record<CnnConfig['arch'], Net> = {
  mobilenet_v2: mobilenetV2,
  squeezenet1_0: squeezenet('1_0'),
  squeezenet1_1: squeezenet('1_1'),
  googlenet,
  resnet50: resnet(1, 64),
  resnext50_32x4d: resnet(32, 4),
  vgg16,
  alexnet,
};

// ---- ViT ----------------------------------------------------------------------------------------------------

function vit(b: VisionBuilder, x: Map3, c: VitConfig): void {
  const g = b.g;
  const [H, P, nH] = [c.hidden_dim, c.patch_size, c.num_heads];
  const D = H / nH;
  const patches = b.conv(x, H, P, P, 0, 1, null, 'conv_proj');
  const n = patches.h * patches.w;
  const T = n + 1;
  // [1, H, h, w] → [1, n, H], the class token in front, learned positions added.
  const seq = g.op('Transpose', [g.op('Reshape', [patches.name, g.int64([1, H, n])], '/encoder/Reshape')], '/encoder/Transpose', { perm: { ints: [0, 2, 1] } });
  const tokens = g.op('Concat', [g.param('class_token', [1, 1, H]), seq], '/encoder/Concat', { axis: { int: 1 } });
  let y = g.op('Add', [tokens, g.param('encoder.pos_embedding', [1, T, H])], '/encoder/Add');
  const ln = (t: string, w: string) =>
    g.op(
      'LayerNormalization',
      [t, g.param(`${w}.weight`, [H], { kind: 'const', mean: 1 }), g.param(`${w}.bias`, [H], { kind: 'const', mean: 0 })],
      `/${w}/LayerNormalization`,
      { axis: { int: -1 }, epsilon: { float: 1e-6 } },
    );
  const dense = (t: string, k: number, m: number, w: string) => {
    b.macs += T * k * m;
    return g.op(
      'Add',
      [g.op('MatMul', [t, g.param(`${w}.weight`, [k, m])], `/${w}/MatMul`), g.param(`${w}.bias`, [m], { kind: 'const', mean: 0 })],
      `/${w}/Add`,
    );
  };
  const heads = (t: string, path: string) =>
    g.op('Transpose', [g.op('Reshape', [t, g.int64([1, T, nH, D])], `${path}/Reshape`)], `${path}/Transpose`, { perm: { ints: [0, 2, 1, 3] } });
  const part = (t: string, i: number, path: string) => g.op('Slice', [t, g.int64([i * H]), g.int64([(i + 1) * H]), g.int64([-1])], path);
  for (let l = 0; l < c.num_layers; l++) {
    const w = `encoder.layers.encoder_layer_${l}`;
    const qkv = dense(ln(y, `${w}.ln_1`), H, 3 * H, `${w}.self_attention.in_proj`);
    const [q, k, v] = [0, 1, 2].map((i) => heads(part(qkv, i, `/${w}/attn/Slice_${i}`), `/${w}/attn/h${i}`)) as [string, string, string];
    b.macs += 2 * nH * T * T * D;
    const scores = g.op(
      'MatMul',
      [g.op('Mul', [q, g.float(1 / Math.sqrt(D))], `/${w}/attn/Mul`), g.op('Transpose', [k], `/${w}/attn/Transpose_k`, { perm: { ints: [0, 1, 3, 2] } })],
      `/${w}/attn/MatMul`,
    );
    const ctx = g.op('MatMul', [g.op('Softmax', [scores], `/${w}/attn/Softmax`, { axis: { int: -1 } }), v], `/${w}/attn/MatMul_1`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [ctx], `/${w}/attn/Transpose_o`, { perm: { ints: [0, 2, 1, 3] } }), g.int64([1, T, H])],
      `/${w}/attn/Reshape_o`,
    );
    y = g.op('Add', [y, dense(merged, H, H, `${w}.self_attention.out_proj`)], `/${w}/Add`);
    const u = dense(ln(y, `${w}.ln_2`), H, c.mlp_dim, `${w}.mlp.0`);
    const erf = g.op('Erf', [g.op('Div', [u, g.float(Math.SQRT2)], `/${w}/mlp/gelu/Div`)], `/${w}/mlp/gelu/Erf`);
    const gelu = g.op(
      'Mul',
      [g.op('Mul', [u, g.op('Add', [erf, g.float(1)], `/${w}/mlp/gelu/Add`)], `/${w}/mlp/gelu/Mul`), g.float(0.5)],
      `/${w}/mlp/gelu/Mul_1`,
    );
    y = g.op('Add', [y, dense(gelu, c.mlp_dim, H, `${w}.mlp.3`)], `/${w}/Add_1`);
  }
  const cls = g.op('Gather', [ln(y, 'encoder.ln'), g.int64([0], [])], '/heads/Gather', { axis: { int: 1 } });
  b.linear(cls, H, c.num_classes, 'heads.head', null, 'logits');
  // The largest nodes of a layer (inputs + output): Softmax (scores in, probabilities out), the scores MatMul
  // (q and k in), the GELU's Mul (u and erf + 1 in, T·mlp_dim out), the fused qkv bias Add. conv() counted the patches.
  b.live(2 * nH * T * T);
  b.live(2 * T * H + nH * T * T);
  b.live(3 * T * c.mlp_dim);
  b.live(6 * T * H);
}

/**
 * ViT's widths under the test divisor: each head narrower and the MLP smaller, with the heads, layers and tokens
 * kept (so the attention's T² terms stay what they are at full size).
 */
const shrinkVit = (c: VitConfig): VitConfig => {
  if (c.channel_divisor === 1) return c;
  const headDim = Math.max(1, Math.round(c.hidden_dim / c.num_heads / c.channel_divisor));
  return { ...c, hidden_dim: headDim * c.num_heads, mlp_dim: Math.max(1, Math.round(c.mlp_dim / c.channel_divisor)), channel_divisor: 1 };
};

export function buildVisionReplica(c: VisionConfig): ReplicaGraph {
  const b = new VisionBuilder(c.arch === 'vit' ? 1 : c.channel_divisor);
  const S = c.image_size;
  const x: Map3 = { name: 'pixel_values', c: 3, h: S, w: S };
  if (c.arch === 'vit') vit(b, x, shrinkVit(c));
  else NETS[c.arch](b, x, c.num_classes, c);
  const model = b.g.model(c.arch, [tensorInfo('pixel_values', DataType.FLOAT, [1, 3, S, S])], [tensorInfo('logits', DataType.FLOAT, [1, c.num_classes])]);
  return {
    model,
    task: 'image-classification',
    inputs: { pixel_values: { shape: [1, 3, S, S] } },
    macs: b.macs,
    activationBytes: b.peakBytes,
    duplicateParams: 0,
  };
}
