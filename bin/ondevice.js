#!/usr/bin/env node
// The `ondevice` command: `ondevice [bench] [flags]`, `ondevice inspect MODEL…` or `ondevice report --in FILE…`.
// Runs the TypeScript CLI through tsx, so there is no separate compile step.
//
// Run by `npm run bench` or `npm run inspect`, it builds the app first (`npm run build`), but only once the flags and
// models are checked and a browser is about to start: --help, --version and usage errors answer at once.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const [command, ...rest] = args;
const commands = { bench: '../src/cli/bench.ts', inspect: '../src/cli/inspect.ts', report: '../src/cli/report.ts' };
const named = Object.hasOwn(commands, command ?? '');
const fromNpm = process.env.npm_package_name === 'ondevice' && ['bench', 'inspect'].includes(process.env.npm_lifecycle_event ?? '');
const build = () => {
  if (!fromNpm) return;
  // The build's output goes to stderr: stdout stays the tables (or --json's records).
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`the build failed (npm run build: ${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
};
const { main } = await import(named ? commands[command] : commands.bench);
process.exitCode = await main(named ? rest : args, build);
