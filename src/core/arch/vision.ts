/**
 * Image-model architectures a replica can be built from: torchvision's CNNs by name (their structure is
 * fixed; the catalog keeps the published description beside it) and ViT by its dimensions. `channel_divisor`
 * shrinks every width by the same factor (for ViT each head's width and the MLP's; heads and tokens stay) — the
 * same code at test size.
 */
import { z } from '../zod.ts';
import { InvalidInputError } from '../vocab.ts';
import { checkConfig, knownType } from './check.ts';

export const CNN_ARCHS = ['mobilenet_v2', 'squeezenet1_0', 'squeezenet1_1', 'googlenet', 'resnet50', 'resnext50_32x4d', 'vgg16', 'alexnet'] as const;
export const VISION_ARCHS = [...CNN_ARCHS, 'vit'] as const;
export type CnnArch = (typeof CNN_ARCHS)[number];

const count = z.number().int().positive();
const common = { image_size: count.default(224), num_classes: count.default(1000), channel_divisor: count.default(1) };
const Cnn = z.object({ arch: z.enum(CNN_ARCHS), width_mult: z.number().positive().default(1), ...common });
const Vit = z.object({ arch: z.literal('vit'), patch_size: count, hidden_dim: count, num_layers: count, num_heads: count, mlp_dim: count, ...common });

export type CnnConfig = z.infer<typeof Cnn>;
export type VitConfig = z.infer<typeof Vit>;
export type VisionConfig = CnnConfig | VitConfig;

export function parseVisionConfig(raw: unknown, what: string): VisionConfig {
  const arch = knownType(raw, 'arch', VISION_ARCHS, what, 'image architecture');
  const c: VisionConfig = arch === 'vit' ? checkConfig(Vit, raw, what, arch) : checkConfig(Cnn, raw, what, arch);
  if (c.arch === 'vit') {
    if (c.image_size % c.patch_size !== 0)
      throw new InvalidInputError(`${what}: image_size (${c.image_size}) must be a multiple of patch_size (${c.patch_size}).`);
    if (c.hidden_dim % c.num_heads !== 0)
      throw new InvalidInputError(`${what}: hidden_dim (${c.hidden_dim}) must be a multiple of num_heads (${c.num_heads}).`);
  }
  return c;
}
