/** `npm run inspect -- MODEL`: what is in an ONNX model — opsets, I/O, parameters, bytes by dtype, ops, FLOPs. */
import { Command } from 'commander';
import { describeInspection } from '../text/inspection.ts';
import { modelEntry, parseInputFlag } from './bench.ts';
import { checkModelNames } from './bench-plan.ts';
import { parseCommand, USAGE_ERROR } from './command.ts';
import { loadCatalog } from './report.ts';
import { openApp } from './driver.ts';
import { startAppServer } from './serve.ts';

/** `ondevice inspect MODEL…`; `beforeLaunch` runs once the arguments are checked (bin/ondevice.js builds the app there). */
export async function main(argv: string[], beforeLaunch: () => void = () => undefined): Promise<number> {
  const cmd = new Command('ondevice inspect')
    .description('Inspect an ONNX model: opsets, inputs and outputs, parameters, bytes by dtype, op histogram, FLOPs.')
    .argument('<model...>', 'catalog ids or .onnx paths')
    .option('--input <name=shape>', 'input shape for the FLOPs estimate, NAME=1,3,224,224 (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--json', 'print JSON');
  const parsed = parseCommand(cmd, argv);
  if (typeof parsed === 'number') return parsed;
  const opts = parsed.opts<{ input: string[]; json?: boolean }>();
  let overrides: Record<string, ReturnType<typeof parseInputFlag>[1]>;
  try {
    checkModelNames(parsed.args, loadCatalog(), 'inspect');
    overrides = Object.fromEntries(opts.input.map(parseInputFlag));
  } catch (err) {
    process.stderr.write(`ondevice: ${(err as Error).message}\n`);
    return USAGE_ERROR;
  }
  beforeLaunch();
  let failed = 0;
  const server = await startAppServer();
  try {
    const app = await openApp({ server });
    try {
      const ids = (await app.page.evaluate(() => window.ondevice.catalog())).models.map((m) => m.id);
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
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${describeInspection(result).join('\n')}\n`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await server.close();
  }
  return failed ? 1 : 0;
}
