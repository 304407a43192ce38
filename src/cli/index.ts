import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCoreCommands } from './commands/core.js';
import { registerDeliveryCommands } from './commands/delivery.js';
import { registerFeedCommands } from './commands/feeds.js';
import { registerIssueCommands } from './commands/issues.js';
import { registerSubscriberCommands } from './commands/subscribers.js';
import { CliFailure } from './run.js';

/** Builds the `newsdesk` command line; each feature adds its commands in cli/commands/. */
export function buildCli(): Command {
  const program = new Command('newsdesk')
    .description('Self-hosted daily digest of engineering blogs: ingest feeds, assemble issues, deliver them.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  registerCoreCommands(program);
  registerSubscriberCommands(program);
  registerFeedCommands(program);
  // Feature commands register here (ingest/sources, assemble/preview, send/resend/daily).
  registerDeliveryCommands(program);
  registerIssueCommands(program);
  return program;
}

/** The version in package.json, found from this file in src/ or dist/. */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'newsdesk' && pkg.version) return pkg.version;
    } catch {
      // not there: try the next place
    }
  }
  return 'unknown';
}

/** Edit distance between two short words (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The known command closest to a mistyped one, if it is close enough to be what was meant. */
export function didYouMean(typed: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dist = k.startsWith(typed) && typed.length >= 2 ? 0.5 : distance(typed.toLowerCase(), k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== null && bestD <= Math.max(1, Math.floor(typed.length / 3)) ? best : null;
}

/** Entry: runs the CLI, prints one clear line on failure, sets the exit code. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildCli();
  const args = argv.slice(2);
  const known = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  if (args.length && !args[0]!.startsWith('-') && !known.has(args[0]!)) {
    const hint = didYouMean(args[0]!, known);
    process.stderr.write(`newsdesk: unknown command '${args[0]}'${hint ? ` (did you mean '${hint}'?)` : ''} (see newsdesk --help)\n`);
    process.exitCode = 1;
    return;
  }
  try {
    await program.parseAsync(args.length ? argv : [...argv, 'serve']);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const msg = err instanceof CliFailure || (err as Error)?.name === 'ConfigError' ? (err as Error).message : `error: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`newsdesk: ${msg}\n`);
    process.exitCode = 1;
  }
}
