/**
 * The per-op pass of the 8- and 4-bit levels: each MatMul, Gemm and Conv with a constant float weight → the level's
 * form (MatMulInteger, DequantizeLinear, MatMulNBits, MatMulBnb4), or a line in the report saying why not.
 */
import type { OnnxDtype } from '../../core/vocab.ts';
import { forEachGraph, nodeLabel } from '../graph.ts';
import { getAttribute, opsetVersion, toNumber, type NodeProto, type TensorProto } from '../model.ts';
import { DataType } from '../onnx-schema.ts';
import { syntheticTensor, WEIGHT_STD } from '../synthetic.ts';
import { bytesTensor, floatTensor } from '../tensor.ts';
import { dequantizedWeight, dynamicMatMul, SCHEMES } from './int8.ts';
import { packBnb4, packNBits } from './pack4.ts';
import { dequantized4Weight, upgradeToOpset21 } from './q4dq.ts';
import { attr, constantNode, makeNode, SYN_CODES, syntheticScale, type Rewriter } from './rewriter.ts';
import type { QuantizeOptions } from './types.ts';

export function quantizeGraphs(rw: Rewriter, level: Exclude<OnnxDtype, 'fp32' | 'fp16'>, opts: Required<QuantizeOptions>): void {
  const four = level === 'q4' || level === 'q4dq' || level === 'q4f16' || level === 'bnb4';
  const scheme = four ? null : SCHEMES[level];
  if (level === 'q4dq') {
    const from = opsetVersion(rw.model) ?? 0;
    if (!upgradeToOpset21(rw))
      rw.report.notes.push(
        `opset ${from} cannot move to 21: 4-bit weights use com.microsoft DequantizeLinear with Reshape and Transpose, which need about three fp32 copies of the weights while loading`,
      );
    else if (from < 21) rw.report.notes.push(`moved from opset ${from} to 21 for int4 DequantizeLinear`);
  }
  forEachGraph(rw.model, (g) => {
    const out: NodeProto[] = [];
    const dqCache = new Map<string, string>();
    for (const node of g.node) {
      const label = nodeLabel(node);
      const isMatMul = node.opType === 'MatMul' && !node.domain;
      const isGemm = node.opType === 'Gemm' && !node.domain;
      const isConv = node.opType === 'Conv' && !node.domain;
      if (!isMatMul && !isGemm && !isConv) {
        out.push(node);
        continue;
      }
      const wName = node.input[1]!;
      const w = rw.floatWeight(wName);
      if (!w) {
        rw.report.skipped.push({ node: label, op: node.opType, reason: 'weight is not a constant float tensor (computed at run time)' });
        out.push(node);
        continue;
      }
      if (isConv) {
        if (!scheme) {
          rw.report.skipped.push({
            node: label,
            op: 'Conv',
            reason: level === 'q4dq' ? 'q4dq quantizes MatMul and Gemm weights only: Conv left float' : 'no 4-bit Conv kernel in onnxruntime: left float',
          });
          out.push(node);
          continue;
        }
        if (w.dims.length < 3) {
          rw.report.skipped.push({ node: label, op: 'Conv', reason: `weight has rank ${w.dims.length}; a Conv weight is [Cout, Cin, …] (rank 3 or more)` });
          out.push(node);
          continue;
        }
        const deq = dequantizedWeight(rw, wName, w, 0, scheme, out, dqCache);
        out.push({ ...node, input: node.input.map((x, i) => (i === 1 ? deq : x)) });
        rw.report.quantized.push({ node: label, op: 'Conv', weight: wName, as: `${scheme.signed ? 'int8' : 'uint8'} weight + DequantizeLinear` });
        continue;
      }
      // MatMul / Gemm with a 2-D constant weight.
      let values = w.values;
      let dims = w.dims;
      let bias: string | null = null;
      let alpha = 1;
      if (isGemm) {
        if (toNumber(getAttribute(node, 'transA')?.i) === 1) {
          rw.report.skipped.push({ node: label, op: 'Gemm', reason: 'transA = 1 is not rewritten' });
          out.push(node);
          continue;
        }
        alpha = getAttribute(node, 'alpha')?.f ?? 1;
        const beta = getAttribute(node, 'beta')?.f ?? 1;
        if (toNumber(getAttribute(node, 'transB')?.i) === 1 && dims.length === 2 && !values) dims = [dims[1]!, dims[0]!];
        else if (toNumber(getAttribute(node, 'transB')?.i) === 1 && dims.length === 2 && values) {
          const [n, k] = dims as [number, number];
          const t = new Float32Array(values.length);
          for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) t[c * n + r] = values[r * k + c] as number;
          values = t;
          dims = [k, n];
        }
        if (alpha !== 1 && values) values = values.map((v) => v * alpha);
        if (node.input[2]) {
          const c = rw.floatWeight(node.input[2]);
          if (c && beta !== 1) {
            const scaledName = rw.unique(`${node.input[2]}_scaled`);
            const scaled = c.values
              ? floatTensor(
                  scaledName,
                  c.dims,
                  c.values.map((v) => v * beta),
                )
              : syntheticTensor(scaledName, DataType.FLOAT, c.dims, { kind: 'normal', std: WEIGHT_STD });
            out.push(constantNode(scaled));
            bias = scaled.name;
          } else if (beta === 1) bias = node.input[2];
          else {
            rw.report.skipped.push({ node: label, op: 'Gemm', reason: 'beta ≠ 1 with a computed bias is not rewritten' });
            out.push(node);
            continue;
          }
        }
      }
      if (dims.length !== 2) {
        rw.report.skipped.push({ node: label, op: node.opType, reason: `weight has rank ${dims.length}; only 2-D weights are quantized` });
        out.push(node);
        continue;
      }
      const [k, n] = dims as [number, number];
      const y = node.output[0]!;
      const mm = bias ? rw.unique(`${y}_matmul`) : y;
      const fitted = { values, dims: [k, n] };
      if (scheme && (opsetVersion(rw.model) ?? 0) < 11) {
        // DynamicQuantizeLinear and MatMulInteger need opset 11 and 10: older graphs get weight-only int8.
        const deq = dequantizedWeight(rw, isGemm ? rw.unique(`${wName}_t`) : wName, fitted, 1, scheme, out, dqCache);
        out.push(makeNode('MatMul', [node.input[0]!, deq], [mm]));
        rw.report.quantized.push({
          node: label,
          op: node.opType,
          weight: wName,
          as: `${scheme.signed ? 'int8' : 'uint8'} weight + DequantizeLinear (opset < 11)`,
        });
      } else if (scheme) {
        dynamicMatMul(rw, node, wName, fitted, scheme, out, mm);
        rw.report.quantized.push({
          node: label,
          op: node.opType,
          weight: wName,
          as: `MatMulInteger (${scheme.signed ? 'int8' : 'uint8'} weight, ${scheme.perChannel ? 'per channel' : 'per tensor'})`,
        });
      } else if (level === 'q4dq') {
        const deq = dequantized4Weight(rw, isGemm ? rw.unique(`${wName}_t`) : wName, fitted, opts, out, dqCache);
        out.push(makeNode('MatMul', [node.input[0]!, deq], [mm]));
        rw.report.quantized.push({
          node: label,
          op: node.opType,
          weight: wName,
          as: `${opts.zeroPoints ? 'uint4 weight + zero points' : 'int4 weight'} (block ${opts.blockSize}) + DequantizeLinear, fp32 once loaded`,
        });
      } else if (level === 'bnb4') {
        const [bName, mName] = [rw.unique(`${wName}_bnb4`), rw.unique(`${wName}_absmax`)];
        let b: TensorProto;
        let m: TensorProto;
        if (values) {
          const { packed, absmax } = packBnb4(values, k, n, opts.blockSize, opts.bnb4Type);
          [b, m] = [bytesTensor(bName, DataType.UINT8, [packed.length], packed), floatTensor(mName, [absmax.length], absmax)];
        } else {
          b = syntheticTensor(bName, DataType.UINT8, [Math.ceil((k * n) / 2)], SYN_CODES);
          m = syntheticTensor(mName, DataType.FLOAT, [Math.ceil((k * n) / opts.blockSize)], syntheticScale(w, 'nf4'));
        }
        rw.requireOpset('com.microsoft', 1);
        out.push(constantNode(b), constantNode(m));
        out.push(
          makeNode(
            'MatMulBnb4',
            [node.input[0]!, b.name, m.name],
            [mm],
            [attr('K', k), attr('N', n), attr('block_size', opts.blockSize), attr('quant_type', opts.bnb4Type)],
            'com.microsoft',
          ),
        );
        rw.report.quantized.push({ node: label, op: node.opType, weight: wName, as: `MatMulBnb4 (${opts.bnb4Type ? 'nf4' : 'fp4'}, block ${opts.blockSize})` });
      } else {
        const kBlocks = Math.ceil(k / opts.blockSize);
        const [bName, sName] = [rw.unique(`${wName}_q4`), rw.unique(`${wName}_scales`)];
        const packed = values ? packNBits(values, k, n, opts.blockSize, opts.zeroPoints) : null;
        const bt = packed
          ? bytesTensor(bName, DataType.UINT8, [n, kBlocks, opts.blockSize / 2], packed.b)
          : syntheticTensor(bName, DataType.UINT8, [n, kBlocks, opts.blockSize / 2], SYN_CODES);
        const st = packed
          ? floatTensor(sName, [n * kBlocks], packed.scales)
          : syntheticTensor(sName, DataType.FLOAT, [n * kBlocks], syntheticScale(w, 'nibble'));
        const inputs = [node.input[0]!, bt.name, st.name];
        out.push(constantNode(bt), constantNode(st));
        if (opts.zeroPoints) {
          const zName = rw.unique(`${wName}_zero_points`);
          const zDims = [n * Math.ceil(kBlocks / 2)];
          const zt = packed?.zp
            ? bytesTensor(zName, DataType.UINT8, zDims, packed.zp)
            : syntheticTensor(zName, DataType.UINT8, zDims, { kind: 'const', mean: 0x88 });
          out.push(constantNode(zt));
          inputs.push(zt.name);
        }
        rw.requireOpset('com.microsoft', 1);
        out.push(makeNode('MatMulNBits', inputs, [mm], [attr('K', k), attr('N', n), attr('bits', 4), attr('block_size', opts.blockSize)], 'com.microsoft'));
        rw.report.quantized.push({
          node: label,
          op: node.opType,
          weight: wName,
          as: `MatMulNBits (4 bit, block ${opts.blockSize}${opts.zeroPoints ? ', zero points' : ''})`,
        });
      }
      if (bias) out.push(makeNode('Add', [mm, bias], [y]));
    }
    g.node = out;
  });
}
