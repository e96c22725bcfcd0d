#!/usr/bin/env node
// The `ondevice` command: runs the TypeScript CLI through tsx, so there is no separate compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/bench.ts');
process.exitCode = await main(process.argv.slice(2));
