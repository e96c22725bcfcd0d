/**
 * q4dq: 4-bit blocks + DequantizeLinear, which onnxruntime folds to fp32 weights at load, and the move to opset 21
 * that int4 DequantizeLinear needs.
 */
import { forEachGraph } from '../graph.ts';
import { getAttribute, opsetVersion, toNumber, type NodeProto, type TensorProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { syntheticTensor } from '../synthetic.ts';
import { bytesTensor, floatTensor } from '../tensor.ts';
import { blockQuantize4, packNibbles } from './pack4.ts';
import { attr, constantNode, makeNode, SYN_CODES, syntheticScale, type FloatWeight, type Rewriter } from './rewriter.ts';
import type { QuantizeOptions } from './types.ts';

// Ops whose meaning changed between opsets 13 and 21 beyond what a version bump keeps (DFT's axis became an input
// at 20, GridSample's modes were renamed at 20, GroupNormalization's scale shape changed at 21, RoiAlign's default
// coordinate mode at 16): a model with any of them keeps its opset.
const OPSET_21_BLOCKERS = new Set(['DFT', 'GridSample', 'GroupNormalization', 'RoiAlign']);
// Reductions whose `axes` moved from an attribute to an input at opset 18 (ReduceSum did at 13).
const AXES_INPUT_AT_18 = new Set([
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
]);

/**
 * Move a model at opset 13–20 to opset 21, where ai.onnx's DequantizeLinear takes int4 and `block_size`, moving
 * reductions' `axes` attributes to inputs as opset 18 wants. False (nothing changed) below 13, where too much
 * changed since (Softmax's axis, Squeeze's and Split's inputs, Clip's bounds), or with an op in OPSET_21_BLOCKERS.
 */
export function upgradeToOpset21(rw: Rewriter): boolean {
  const version = opsetVersion(rw.model) ?? 0;
  if (version >= 21) return true;
  if (version < 13) return false;
  const standard = (n: NodeProto) => !n.domain || n.domain === 'ai.onnx';
  let blocked = false;
  forEachGraph(rw.model, (g) => (blocked ||= g.node.some((n) => standard(n) && OPSET_21_BLOCKERS.has(n.opType))));
  if (blocked) return false;
  forEachGraph(rw.model, (g) => {
    const out: NodeProto[] = [];
    for (const n of g.node) {
      const axes = version < 18 && standard(n) && AXES_INPUT_AT_18.has(n.opType) ? getAttribute(n, 'axes') : undefined;
      if (axes) {
        const values = (axes.ints ?? []).map(toNumber);
        const t = bytesTensor(
          rw.unique(`${n.output[0]}_axes`),
          DataType.INT64,
          [values.length],
          new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer),
        );
        out.push(constantNode(t));
        n.attribute = n.attribute.filter((a) => a.name !== 'axes');
        n.input = [n.input[0]!, t.name];
      }
      out.push(n);
    }
    g.node = out;
  });
  rw.model.opsetImport = rw.model.opsetImport.map((o) => (!o.domain || o.domain === 'ai.onnx' ? { ...o, version: 21 } : o));
  // Opset 21 needs IR version 10 (int4 is an IR 10 type).
  if (toNumber(rw.model.irVersion) < 10) rw.model.irVersion = 10;
  return true;
}

/**
 * W [K, N] → 4-bit blocks + DequantizeLinear → fp32 [K, N] (q4dq). Every input of the dequantization is a
 * constant, so onnxruntime folds it to an fp32 weight once at load when the session sets
 * `session.disable_quant_qdq` (otherwise it keeps the DequantizeLinear for QDQ fusion and runs it every call).
 * From opset 21 (models at 13–20 are moved there first, see upgradeToOpset21): ai.onnx DequantizeLinear with
 * int4 codes and `block_size`. Models that cannot move get onnxruntime's com.microsoft DequantizeLinear, per
 * axis over rows of one block ([kBlocks·N, block], one scale a row), then Reshape, Transpose and Reshape back to
 * [K, N], and Slice where K is not a whole number of blocks. That form costs more memory while loading:
 * onnxruntime keeps every folded intermediate (three fp32 copies of each weight) until folding ends. Scales and
 * zero points stay DequantizeLinear inputs, so the inspector counts only the codes as parameters.
 */
export function dequantized4Weight(
  rw: Rewriter,
  wName: string,
  w: FloatWeight,
  opts: Required<QuantizeOptions>,
  out: NodeProto[],
  cache: Map<string, string>,
): string {
  const cached = cache.get(wName);
  if (cached) return cached;
  const [k, n] = w.dims as [number, number];
  const block = opts.blockSize;
  const zp = opts.zeroPoints;
  const codeType = zp ? DataType.UINT4 : DataType.INT4;
  const q = w.values ? blockQuantize4(w.values, k, n, block, zp) : null;
  const kBlocks = Math.ceil(k / block);
  const base = rw.unique(`${wName}_q4dq`);
  const [sName, zName, deq] = [rw.unique(`${wName}_scales`), rw.unique(`${wName}_zero_points`), rw.unique(`${wName}_dequantized`)];
  const standard = (opsetVersion(rw.model) ?? 0) >= 21;
  // Standard: codes [K, N], scales [kBlocks, N]. Per-axis rows: codes [kBlocks·N, block] (row kb·N + n holds
  // block kb of column n, zero-padded past K), scales [kBlocks·N], the same order as the standard's.
  const codeDims = standard ? [k, n] : [kBlocks * n, block];
  const scaleDims = standard ? [kBlocks, n] : [kBlocks * n];
  let codes: TensorProto;
  if (!q) codes = syntheticTensor(base, codeType, codeDims, SYN_CODES);
  else if (standard) codes = bytesTensor(base, codeType, codeDims, packNibbles(q.codes));
  else {
    const rows = new Int8Array(kBlocks * n * block);
    for (let kk = 0; kk < k; kk++) for (let col = 0; col < n; col++) rows[(Math.floor(kk / block) * n + col) * block + (kk % block)] = q.codes[kk * n + col]!;
    codes = bytesTensor(base, codeType, codeDims, packNibbles(rows));
  }
  const scales = q ? floatTensor(sName, scaleDims, q.scales) : syntheticTensor(sName, DataType.FLOAT, scaleDims, syntheticScale(w, 'nibble'));
  const zeros = !zp
    ? null
    : q?.zeros
      ? bytesTensor(zName, DataType.UINT4, scaleDims, packNibbles(q.zeros))
      : syntheticTensor(zName, DataType.UINT4, scaleDims, { kind: 'const', mean: 8 });
  out.push(constantNode(codes), constantNode(scales));
  if (zeros) out.push(constantNode(zeros));
  const dqInputs = [codes.name, scales.name, ...(zeros ? [zeros.name] : [])];
  if (standard) {
    out.push(makeNode('DequantizeLinear', dqInputs, [deq], [attr('axis', 0), attr('block_size', block)]));
  } else {
    rw.requireOpset('com.microsoft', 1);
    const [rowsF, blocks3, blocksT, padded] = ['rows', 'blocks', 'blocks_t', 'padded'].map((p) => rw.unique(`${wName}_q4dq_${p}`)) as [
      string,
      string,
      string,
      string,
    ];
    const int64 = (name: string, values: number[]) => {
      const t = bytesTensor(rw.unique(name), DataType.INT64, [values.length], new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
      out.push(constantNode(t));
      return t.name;
    };
    out.push(makeNode('DequantizeLinear', dqInputs, [rowsF], [attr('axis', 0)], 'com.microsoft'));
    out.push(makeNode('Reshape', [rowsF, int64(`${wName}_q4dq_shape3`, [kBlocks, n, block])], [blocks3]));
    out.push(makeNode('Transpose', [blocks3], [blocksT], [attr('perm', [0, 2, 1])]));
    out.push(makeNode('Reshape', [blocksT, int64(`${wName}_q4dq_shape2`, [kBlocks * block, n])], [kBlocks * block === k ? deq : padded]));
    if (kBlocks * block !== k) {
      // Slice takes its bounds as inputs from opset 10, as attributes before.
      if ((opsetVersion(rw.model) ?? 0) >= 10)
        out.push(makeNode('Slice', [padded, int64(`${wName}_q4dq_starts`, [0]), int64(`${wName}_q4dq_ends`, [k]), int64(`${wName}_q4dq_axes`, [0])], [deq]));
      else out.push(makeNode('Slice', [padded], [deq], [attr('starts', [0]), attr('ends', [k]), attr('axes', [0])]));
    }
  }
  cache.set(wName, deq);
  return deq;
}
