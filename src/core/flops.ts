/** A model's work per inference or per generated token, and the throughput a run achieved on it (pure arithmetic). */

/** The attention shape a decoder's config gives (Hugging Face field names, GPT-2's included). */
export interface AttentionShape {
  layers: number;
  /** Query heads: the ones that each take a dot product with every cached key. */
  heads: number;
  headDim: number;
}

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

/** Layers, query heads and head size from a config.json; null when it does not say. */
export function attentionShapeOf(config: Record<string, unknown>): AttentionShape | null {
  const layers = int(config.num_hidden_layers) ?? int(config.n_layer);
  const heads = int(config.num_attention_heads) ?? int(config.n_head);
  const hidden = int(config.hidden_size) ?? int(config.n_embd);
  const headDim = int(config.head_dim) ?? (hidden && heads && hidden % heads === 0 ? hidden / heads : null);
  return layers && heads && headDim ? { layers, heads, headDim } : null;
}

/**
 * The context the decode steps of a generation attend over, on average: step i (1-based, after the first token)
 * sees the prompt and i earlier new tokens, so the mean is prompt + newTokens / 2.
 */
export function meanDecodeContext(g: { promptTokens: number; newTokens: number }): number {
  return g.promptTokens + g.newTokens / 2;
}

/**
 * FLOPs of one generated token (a multiply-add = 2): every weight MatMul once (projections, MLP, the LM head)
 * plus attention over `context` cached positions (Q·Kᵀ and P·V: 2 × 2 × heads × headDim per position per layer).
 * Element-wise work, norms and softmax are not counted. Without an attention shape, the MatMuls alone.
 */
export function lmFlopsPerToken(matmulFlops: number, attention: AttentionShape | null, context: number): number {
  if (!(matmulFlops >= 0) || !(context >= 0))
    throw new RangeError(`lmFlopsPerToken needs non-negative matmulFlops and context, got ${matmulFlops} and ${context}.`);
  return matmulFlops + (attention ? 4 * attention.layers * attention.heads * attention.headDim * context : 0);
}

/** GFLOP/s of `flops` done in `ms` milliseconds; null when either is unknown or not positive. */
export function gflopsPerS(flops: number | null | undefined, ms: number | null | undefined): number | null {
  return flops && ms && flops > 0 && ms > 0 ? flops / ms / 1e6 : null;
}

/**
 * What a run achieved, in GFLOP/s: FLOPs per inference ÷ p50 latency; for a language model (whose FLOPs are per
 * generated token) FLOPs per token × decode tokens per second.
 */
export function achievedGflops(r: {
  model: { flops: number | null };
  timings: { latency: { p50Ms: number } | null };
  generation: { decodeTokPerS: number | null } | null;
}): number | null {
  const flops = r.model.flops;
  if (!flops || flops <= 0) return null;
  if (r.generation) {
    const rate = r.generation.decodeTokPerS;
    return rate && rate > 0 ? (flops * rate) / 1e9 : null;
  }
  return gflopsPerS(flops, r.timings.latency?.p50Ms);
}

/** Share of a roof (GFLOP/s or GB/s) a figure reached; null when either is unknown. */
export function shareOf(achieved: number | null, roof: number | null | undefined): number | null {
  return achieved !== null && roof && roof > 0 ? achieved / roof : null;
}

/**
 * What a record's `model.params` / `model.flops` are made from, counted after its run (src/engines/runtime.ts
 * `modelStats`): FLOPs per inference at the run's input shapes, or for a decoder the cost of one step.
 */
export interface ModelStats {
  params: number | null;
  /** Non-decoders: FLOPs of one inference at the run's input shapes; null with `flopsError`. */
  flops: number | null;
  /** Why `flops` is null, or what it leaves out. */
  flopsError: string | null;
  /** Decoders: one token's weight MatMuls (2 × Σ K·N) and the weight bytes it reads, from the graph. */
  step: { matmulFlops: number; weightBytes: number } | null;
  /** Decoders: layers, query heads and head size from config.json; null when unknown. */
  attention: AttentionShape | null;
}

type StatsTarget = {
  state: string;
  model: { source: string; params: number | null; flops: number | null; flopsBasis: string | null; weightBytesPerToken: number | null };
  workload: { inputs: readonly { name: string; dims: readonly number[] }[] };
  generation: { promptTokens: number; newTokens: number } | null;
};

const shapesText = (inputs: StatsTarget['workload']['inputs']): string => inputs.map((i) => `${i.name}[${i.dims.join(',')}]`).join(', ');

/**
 * Fill a finished run's model block from the counts: parameters (a replica keeps its builder's), FLOPs per
 * inference at the run's inputs, or for a language model FLOPs per generated token at its mean decode context
 * and the weight bytes each token reads; `flopsBasis` says which, or why there are none.
 */
export function applyModelStats(r: StatsTarget, s: ModelStats): void {
  if (s.params !== null && r.model.source !== 'replica') r.model.params = s.params;
  if (s.step) {
    r.model.weightBytesPerToken = s.step.weightBytes;
    if (!r.generation) {
      r.model.flopsBasis = 'per generated token: no generation completed, so no context to count attention at';
      return;
    }
    const context = meanDecodeContext(r.generation);
    r.model.flops = lmFlopsPerToken(s.step.matmulFlops, s.attention, context);
    const a = s.attention;
    r.model.flopsBasis =
      `per generated token at the mean decode context ${context} (${r.generation.promptTokens}-token prompt + ${r.generation.newTokens} new ÷ 2): ` +
      `weight MatMuls ${s.step.matmulFlops}` +
      (a ? ` + attention 4 × ${a.layers} layers × ${a.heads} heads × ${a.headDim} × ${context}` : ' (attention not counted: no layers/heads in config.json)') +
      '; a multiply-add = 2, element-wise ops, norms and softmax not counted';
    return;
  }
  if (r.model.flops !== null) {
    r.model.flopsBasis ??= `per inference at ${shapesText(r.workload.inputs)}, counted by the replica builder`;
  } else if (s.flops !== null) {
    r.model.flops = s.flops;
    r.model.flopsBasis = `per inference at ${shapesText(r.workload.inputs)}, counted by the inspector (MatMul, Gemm, Conv and attention ops; a multiply-add = 2)${s.flopsError ? `; ${s.flopsError}` : ''}`;
  } else {
    r.model.flopsBasis = `not counted: ${s.flopsError ?? 'unknown'}`;
  }
}
