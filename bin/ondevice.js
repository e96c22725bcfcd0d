#!/usr/bin/env node
// The `ondevice` command: `ondevice [bench flags]` or `ondevice inspect MODEL…`. Runs the TypeScript CLI
// through tsx, so there is no separate compile step.
import { register } from 'tsx/esm/api';

register();
const args = process.argv.slice(2);
const { main } = args[0] === 'inspect' ? await import('../src/cli/inspect.ts') : await import('../src/cli/bench.ts');
process.exitCode = await main(args[0] === 'inspect' ? args.slice(1) : args);
