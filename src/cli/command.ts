/**
 * Parsing a command line the same way in every CLI command: help and --version answer 0, and a bad flag (unknown,
 * a value its parser refuses, a missing argument) is a usage error, exit 2, with commander's message and a pointer
 * to --help. Nothing has started when this returns: no build, no server, no browser.
 */
import { readFileSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';

/** ondevice's version, from package.json (`--version`). */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The exit code for a usage error: a bad flag, model or value (the README's "Exit codes"). */
export const USAGE_ERROR = 2;

/** The parsed command, or the exit code when commander answered (help, version) or refused the line. */
export function parseCommand(cmd: Command, argv: readonly string[]): Command | number {
  cmd.exitOverride().showHelpAfterError('(--help lists the flags)');
  try {
    return cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return err.exitCode === 0 ? 0 : USAGE_ERROR;
  }
}
