/**
 * What every replica builder returns: the fp32 graph with synthetic weights (MatMul / Gemm / Conv form, so the
 * quantizer turns it into any level), and what the runner and the fit check need to know about it.
 */
import type { InputOverride } from '../core/spec.ts';
import type { ModelProto } from './model.ts';

export type ReplicaTask = 'text-generation' | 'feature-extraction' | 'text-classification' | 'token-classification' | 'image-classification';

/** A decoder's cache layout and vocabulary, for the LM loop (what config.json gives for a real model). */
export interface ReplicaLm {
  layers: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  maxContext: number;
  /** End-of-sequence ids (suppressed until max_new_tokens, as for real models). */
  eos: number[];
}

export interface ReplicaGraph {
  /** fp32, synthetic weights (GraphBuilder.param); nothing allocated for them until the model is written. */
  model: ModelProto;
  task: ReplicaTask;
  /** Concrete input shapes and fills for a non-LM run (e.g. pixel_values [1, 3, 224, 224]; input_ids filled with a valid id). */
  inputs: Record<string, InputOverride>;
  /** Multiply-accumulates of one inference at the built input size, counted while building; null where not counted. */
  macs: number | null;
  /** Estimated peak bytes of activations (fp32) for one inference at the built size: the fit check adds it to the weights. */
  activationBytes: number;
  /**
   * Parameters the graph holds twice that the model has once (a tied lm_head: exports carry it as its own
   * MatMul weight); subtracted from the inspector's count to give the published convention. 0 for most.
   */
  duplicateParams: number;
  /** Set for decoders. */
  lm?: ReplicaLm;
}
