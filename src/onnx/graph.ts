/** Walking an ONNX graph: every (sub)graph, and every weight (initializers and Constant nodes). */
import { getAttribute, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './model.ts';

/** Visit the main graph and every subgraph held in node attributes (If, Loop, Scan bodies). */
export function forEachGraph(model: ModelProto, visit: (graph: GraphProto, depth: number) => void): void {
  const walk = (g: GraphProto, depth: number) => {
    visit(g, depth);
    for (const node of g.node) {
      for (const a of node.attribute) {
        if (a.g) walk(a.g, depth + 1);
        for (const sub of a.graphs ?? []) walk(sub, depth + 1);
      }
    }
  };
  if (model.graph) walk(model.graph, 0);
}

/** A weight: an initializer, or the value of a Constant node (PP-OCR and Silero keep theirs there). */
export interface Weight {
  /** The value name the graph uses. */
  name: string;
  tensor: TensorProto;
  graph: GraphProto;
  /** The Constant node that holds it, when it is not an initializer. */
  constantNode: NodeProto | null;
}

export function collectWeights(model: ModelProto): Weight[] {
  const out: Weight[] = [];
  forEachGraph(model, (graph) => {
    for (const t of graph.initializer) out.push({ name: t.name, tensor: t, graph, constantNode: null });
    for (const node of graph.node) {
      if (node.opType !== 'Constant' || (node.domain && node.domain !== 'ai.onnx')) continue;
      const t = getAttribute(node, 'value')?.t;
      if (t && node.output[0]) out.push({ name: node.output[0], tensor: t, graph, constantNode: node });
    }
  });
  return out;
}

/** How reports name a node: its own name, or its op and first output when the exporter left it unnamed. */
export const nodeLabel = (node: NodeProto): string => node.name || `${node.opType}(${node.output[0] ?? ''})`;
