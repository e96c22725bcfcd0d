/** An inspection as lines of text: the CLI prints them, the app shows them. */
import type { InspectResult } from '../engines/contract.ts';
import { formatBytes, formatCount } from './format.ts';

const shape = (s: (number | string | null)[] | null): string => `[${s?.map((d) => d ?? '?').join(', ') ?? '?'}]`;

/** `maxOps` caps the op histogram (the app's panel); the CLI prints all of it. */
export function describeInspection(r: InspectResult, maxOps = Infinity): string[] {
  const i = r.inspection;
  const ops = Object.entries(i.opHistogram);
  const lines = [
    `${r.model.id}  (${formatBytes(r.bytes)})`,
    `  IR ${i.irVersion}; opsets ${i.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}${i.producer ? `; made by ${i.producer}` : ''}`,
    ...i.inputs.map((v) => `  input  ${v.name}: ${v.type} ${shape(v.shape)}`),
    ...i.outputs.map((v) => `  output ${v.name}: ${v.type} ${shape(v.shape)}`),
    `  parameters ${formatCount(i.params)} (${i.params}); weights ${formatBytes(i.weightBytes)} in ${i.weights} tensors: ${Object.entries(i.bytesByDtype)
      .map(([k, v]) => `${k} ${formatBytes(v)}`)
      .join(', ')}`,
    `  ${i.nodes} nodes${i.subgraphs ? ` (in ${i.subgraphs + 1} graphs)` : ''}`,
  ];
  if (i.externalData.length) lines.push(`  external data: ${i.externalData.length} tensors (not read)`);
  for (const p of i.problems ?? []) lines.push(`  will not load: ${p}`);
  if (r.flops) {
    lines.push(`  FLOPs ${formatCount(r.flops.flops)} at ${r.inputs.map((x) => `${x.name}[${x.dims.join(',')}]`).join(' ')} — ${r.flops.convention}`);
    lines.push(
      `    by op: ${Object.entries(r.flops.byOp)
        .map(([k, v]) => `${k} ${formatCount(v)}`)
        .join(', ')}${r.flops.unknown.length ? `; ${r.flops.unknown.length} counted ops in subgraphs without shapes` : ''}`,
    );
  } else lines.push(`  FLOPs: not estimated (${r.flopsError})`);
  lines.push(
    `  ops: ${ops
      .slice(0, maxOps)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}${ops.length > maxOps ? ', …' : ''}`,
  );
  return lines;
}
