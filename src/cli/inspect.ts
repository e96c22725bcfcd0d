/** `npm run inspect -- MODEL`: what is in an ONNX model — opsets, I/O, parameters, bytes by dtype, ops, FLOPs. */
import { Command } from 'commander';
import type { InspectResult } from '../engines/contract.ts';
import { formatBytes, formatCount } from '../ui/format.ts';
import { modelEntry, parseInputFlag } from './bench.ts';
import { openApp } from './driver.ts';
import { startAppServer } from './serve.ts';

export function describe(r: InspectResult): string {
  const i = r.inspection;
  const lines = [
    `${r.model.id}  (${formatBytes(r.bytes)})`,
    `  IR ${i.irVersion}; opsets ${i.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}${i.producer ? `; made by ${i.producer}` : ''}`,
    ...i.inputs.map((v) => `  input  ${v.name}: ${v.type} [${v.shape?.map((d) => d ?? '?').join(', ') ?? '?'}]`),
    ...i.outputs.map((v) => `  output ${v.name}: ${v.type} [${v.shape?.map((d) => d ?? '?').join(', ') ?? '?'}]`),
    `  parameters ${formatCount(i.params)} (${i.params}); weights ${formatBytes(i.weightBytes)} in ${i.weights} tensors: ${Object.entries(i.bytesByDtype).map(([k, v]) => `${k} ${formatBytes(v)}`).join(', ')}`,
    `  ${i.nodes} nodes${i.subgraphs ? ` (in ${i.subgraphs + 1} graphs)` : ''}`,
  ];
  if (i.externalData.length) lines.push(`  external data: ${i.externalData.length} tensors (not read)`);
  if (r.flops) {
    lines.push(`  FLOPs ${formatCount(r.flops.flops)} at ${r.inputs.map((x) => `${x.name}[${x.dims.join(',')}]`).join(' ')} — ${r.flops.convention}`);
    lines.push(`    by op: ${Object.entries(r.flops.byOp).map(([k, v]) => `${k} ${formatCount(v)}`).join(', ')}${r.flops.unknown.length ? `; ${r.flops.unknown.length} counted ops in subgraphs without shapes` : ''}`);
  } else lines.push(`  FLOPs: not estimated (${r.flopsError})`);
  lines.push(`  ops: ${Object.entries(i.opHistogram).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('ondevice inspect')
    .description('Inspect an ONNX model: opsets, inputs and outputs, parameters, bytes by dtype, op histogram, FLOPs.')
    .argument('<model...>', 'catalog ids or .onnx paths')
    .option('--input <name=shape>', 'input shape for the FLOPs estimate, NAME=1,3,224,224 (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--json', 'print JSON');
  const parsed = cmd.parse(argv, { from: 'user' });
  const opts = parsed.opts<{ input: string[]; json?: boolean }>();
  let failed = 0;
  const server = await startAppServer();
  try {
    const app = await openApp({ server });
    try {
      const ids = (await app.page.evaluate(() => window.ondevice.catalog())).models.map((m) => m.id);
      const overrides = Object.fromEntries(opts.input.map(parseInputFlag));
      for (const name of parsed.args) {
        const entry = modelEntry(name, ids, server);
        const ref = typeof entry === 'string' ? entry : { ...entry, inputs: overrides };
        const result = await app.page.evaluate((m) => window.ondevice.inspect(m), ref).catch((err: Error) => err);
        if (result instanceof Error) {
          // Errors from the page carry the worker's stack: the first line is the message.
          process.stderr.write(`ondevice: ${name}: ${result.message.split('\n')[0]!.replace(/^.*?Error: /, '')}\n`);
          failed += 1;
          continue;
        }
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${describe(result)}\n`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await server.close();
  }
  return failed ? 1 : 0;
}
