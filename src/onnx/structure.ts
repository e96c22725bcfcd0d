/**
 * Graph structure checks on ONNX bytes, before onnxruntime sees them: what it would refuse with a terse text (or our
 * old "Expected a complete ONNX model file."), said here with the node, the tensor and what would be valid. Only what
 * onnxruntime-web itself refuses is checked (measured by test/unit/structure.test.ts): a model it runs is never refused.
 */
import { forEachGraph, nodeLabel } from './graph.ts';
import { OnnxFormatError, toNumber, type GraphProto, type ModelProto, type NodeProto } from './model.ts';

/**
 * The newest IR version and opset per domain that onnxruntime-web loads: found by loading a model stamped with each
 * version (test/unit/structure.test.ts loads N and fails N + 1, so an upgrade that moves them fails that test).
 * A domain not listed here is left to onnxruntime (it only refuses one a node uses).
 */
export const ORT_WEB_LIMITS = Object.freeze({
  runtime: 'onnxruntime-web 1.31',
  irVersion: 13,
  opsets: Object.freeze({ 'ai.onnx': 26, 'ai.onnx.ml': 5, 'com.microsoft': 1, 'ai.onnx.preview.training': 1 } as Record<string, number>),
});

/** One structural fault: what is wrong, where (node, tensor), and what would be valid. */
export interface StructureProblem {
  kind: 'ir-version' | 'opset' | 'dangling-input' | 'dangling-output' | 'cycle' | 'duplicate-output' | 'duplicate-input' | 'duplicate-node-name';
  message: string;
}

const domainName = (d: string | undefined): string => (d && d !== '' ? d : 'ai.onnx');
const where = (g: GraphProto, depth: number): string => (depth === 0 ? '' : ` in subgraph "${g.name || '(unnamed)'}"`);

function versionProblems(model: ModelProto): StructureProblem[] {
  const out: StructureProblem[] = [];
  const ir = toNumber(model.irVersion);
  if (ir > ORT_WEB_LIMITS.irVersion) {
    out.push({
      kind: 'ir-version',
      message: `IR version ${ir}; ${ORT_WEB_LIMITS.runtime} loads IR version ${ORT_WEB_LIMITS.irVersion} at most (re-export the model with an older ONNX)`,
    });
  }
  for (const o of model.opsetImport) {
    const domain = domainName(o.domain);
    const max = ORT_WEB_LIMITS.opsets[domain];
    const version = toNumber(o.version);
    if (max !== undefined && version > max) {
      out.push({
        kind: 'opset',
        message: `opset ${version} for domain ${domain}; ${ORT_WEB_LIMITS.runtime} supports up to ${max} (re-export at opset ${max} or lower)`,
      });
    }
  }
  return out;
}

/** Dangling inputs and outputs, duplicates: per graph, with the names its outer graphs define in scope. */
function namingProblems(g: GraphProto, depth: number, outer: ReadonlySet<string>, out: StructureProblem[]): Set<string> {
  const at = where(g, depth);
  const defined = new Set<string>(outer);
  const seenInputs = new Set<string>();
  for (const v of g.input) {
    if (seenInputs.has(v.name)) out.push({ kind: 'duplicate-input', message: `graph input "${v.name}" is listed twice${at}; each input is declared once` });
    seenInputs.add(v.name);
    defined.add(v.name);
  }
  for (const t of g.initializer) defined.add(t.name);
  const producer = new Map<string, NodeProto>();
  const names = new Map<string, NodeProto>();
  for (const node of g.node) {
    if (node.name) {
      const first = names.get(node.name);
      if (first && first !== node)
        out.push({
          kind: 'duplicate-node-name',
          message: `two nodes are named "${node.name}"${at} (${first.opType} and ${node.opType}); node names must be unique`,
        });
      else names.set(node.name, node);
    }
    for (const o of node.output) {
      if (!o) continue;
      const first = producer.get(o);
      if (first) {
        out.push({
          kind: 'duplicate-output',
          message: `tensor "${o}" is the output of two nodes${at}, "${nodeLabel(first)}" and "${nodeLabel(node)}"; each tensor has one producer`,
        });
      } else if (seenInputs.has(o)) {
        out.push({ kind: 'duplicate-output', message: `node "${nodeLabel(node)}"${at} outputs "${o}", which is a graph input; each tensor has one producer` });
      }
      producer.set(o, node);
      defined.add(o);
    }
  }
  for (const node of g.node) {
    node.input.forEach((i, slot) => {
      if (i && !defined.has(i)) {
        out.push({
          kind: 'dangling-input',
          message: `node "${nodeLabel(node)}"${at} reads "${i}" (input ${slot}), which no node, initializer or graph input produces; it should name one of them`,
        });
      }
    });
  }
  for (const v of g.output) {
    if (!defined.has(v.name)) {
      out.push({ kind: 'dangling-output', message: `graph output "${v.name}"${at} is produced by no node, initializer or input; it should name one of them` });
    }
  }
  return defined;
}

/** A cycle among a graph's nodes, as the nodes and tensors around it; null if acyclic. Constant nodes take no inputs (onnxruntime ignores any). */
function findCycle(g: GraphProto): string | null {
  const producer = new Map<string, number>();
  g.node.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const state = new Uint8Array(g.node.length); // 0 unseen, 1 on the path, 2 done
  const via: { node: number; tensor: string }[] = [];
  const inputsOf = (n: NodeProto) => (n.opType === 'Constant' && (!n.domain || n.domain === 'ai.onnx') ? [] : n.input);
  // Iterative depth-first search over producer edges (a node → the nodes its inputs come from).
  for (let start = 0; start < g.node.length; start++) {
    if (state[start]) continue;
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const inputs = inputsOf(g.node[top.node]!);
      if (top.next >= inputs.length) {
        state[top.node] = 2;
        stack.pop();
        via.pop();
        continue;
      }
      const tensor = inputs[top.next++]!;
      const p = producer.get(tensor);
      if (p === undefined || state[p] === 2) continue;
      if (state[p] === 1) {
        const from = stack.findIndex((s) => s.node === p);
        const label = (i: number) => nodeLabel(g.node[i]!);
        return stack
          .slice(from)
          .map((s, k) => {
            const j = from + k;
            const last = j === stack.length - 1;
            return `"${label(s.node)}" reads "${last ? tensor : via[j]!.tensor}" from "${label(last ? p : stack[j + 1]!.node)}"`;
          })
          .join(', ');
      }
      state[p] = 1;
      via.push({ node: top.node, tensor });
      stack.push({ node: p, next: 0 });
    }
  }
  return null;
}

/** Every structural fault onnxruntime-web would refuse the model for, main graph and subgraphs; empty when none. */
export function structureProblems(model: ModelProto): StructureProblem[] {
  const out = versionProblems(model);
  const scopes = new Map<GraphProto, Set<string>>();
  forEachGraph(model, (g, depth) => {
    const outer = depth === 0 ? new Set<string>() : (scopes.get(g) ?? new Set<string>());
    const defined = namingProblems(g, depth, outer, out);
    // A subgraph sees every name its parent defines.
    for (const node of g.node) for (const a of node.attribute) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) scopes.set(sub, defined);
    const cycle = findCycle(g);
    if (cycle) out.push({ kind: 'cycle', message: `the graph${where(g, depth)} has a cycle: ${cycle}; a graph must be acyclic` });
  });
  return out;
}

/** Throws an OnnxFormatError (class bad-model) naming `what` and its faults, at most `shown` of them, when there are any. */
export function assertStructure(model: ModelProto, what: string, shown = 3): void {
  const problems = structureProblems(model);
  if (problems.length === 0) return;
  const more = problems.length > shown ? `; and ${problems.length - shown} more` : '';
  throw new OnnxFormatError(
    `${what} is not a graph ${ORT_WEB_LIMITS.runtime} can load: ${problems
      .slice(0, shown)
      .map((p) => p.message)
      .join('; ')}${more}.`,
  );
}
