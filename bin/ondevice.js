#!/usr/bin/env node
// The `ondevice` command: `ondevice [bench flags]`, `ondevice inspect MODEL…` or `ondevice report --in FILE…`.
// Runs the TypeScript CLI through tsx, so there is no separate compile step.
import { register } from 'tsx/esm/api';

register();
const [command, ...rest] = process.argv.slice(2);
const commands = { inspect: '../src/cli/inspect.ts', report: '../src/cli/report.ts' };
const sub = Object.hasOwn(commands, command ?? '') ? commands[command] : null;
const { main } = await import(sub ?? '../src/cli/bench.ts');
process.exitCode = await main(sub ? rest : process.argv.slice(2));
