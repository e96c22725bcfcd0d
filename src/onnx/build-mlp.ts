/** A small generated MLP (MatMul-heavy, deterministic weights): the quantizer's reference model in tests. */
import { seededRandom } from '../core/rng.ts';
import { encodeModel, type ModelProto, type NodeProto } from './model.ts';
import { DataType } from './onnx-schema.ts';
import { floatTensor } from './tensor.ts';

export interface MlpSpec {
  input: number;
  hidden: number[];
  output: number;
  seed?: number;
}

/** Parameters of an MLP: Σ (in·out + out) over its layers. */
export const mlpParams = (s: MlpSpec): number =>
  [s.input, ...s.hidden, s.output].slice(1).reduce((sum, out, i) => sum + [s.input, ...s.hidden][i]! * out + out, 0);

/** x [batch, input] → (MatMul + Add + Relu)×hidden → MatMul + Add → Softmax → probs [batch, output]. */
export function buildMlp(spec: MlpSpec): Uint8Array {
  const rnd = seededRandom(spec.seed ?? 42);
  // Roughly normal weights (sum of uniforms), scaled like He initialisation so activations stay O(1).
  const normal = () => (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3);
  const sizes = [spec.input, ...spec.hidden, spec.output];
  const nodes: NodeProto[] = [];
  const initializer = [];
  let x = 'x';
  for (let l = 0; l < sizes.length - 1; l++) {
    const [k, n] = [sizes[l]!, sizes[l + 1]!];
    const w = floatTensor(
      `layer${l}.weight`,
      [k, n],
      Float32Array.from({ length: k * n }, () => normal() * Math.sqrt(2 / k)),
    );
    const b = floatTensor(
      `layer${l}.bias`,
      [n],
      Float32Array.from({ length: n }, () => normal() * 0.1),
    );
    initializer.push(w, b);
    const last = l === sizes.length - 2;
    nodes.push({ opType: 'MatMul', input: [x, w.name], output: [`h${l}_mm`], name: `layer${l}/MatMul`, domain: '', attribute: [] });
    nodes.push({ opType: 'Add', input: [`h${l}_mm`, b.name], output: [last ? 'logits' : `h${l}_add`], name: `layer${l}/Add`, domain: '', attribute: [] });
    if (!last) nodes.push({ opType: 'Relu', input: [`h${l}_add`], output: [`h${l}`], name: `layer${l}/Relu`, domain: '', attribute: [] });
    x = `h${l}`;
  }
  nodes.push({ opType: 'Softmax', input: ['logits'], output: ['probs'], name: 'softmax', domain: '', attribute: [{ name: 'axis', type: 2, i: -1 }] });
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
  });
  const model: ModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'ondevice',
    producerVersion: '1',
    graph: {
      name: 'mlp',
      node: nodes,
      initializer,
      input: [{ name: 'x', type: tensorType(['batch', spec.input]) }],
      output: [
        { name: 'probs', type: tensorType(['batch', spec.output]) },
        { name: 'logits', type: tensorType(['batch', spec.output]) },
      ],
      valueInfo: [],
    },
  };
  return encodeModel(model);
}
