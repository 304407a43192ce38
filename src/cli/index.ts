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
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCoreCommands(program);
  registerSubscriberCommands(program);
  registerFeedCommands(program);
  // Feature commands register here (ingest/sources, assemble/preview, send/resend/daily).
  registerDeliveryCommands(program);
  registerIssueCommands(program);
  return program;
}

/** Entry: runs the CLI, prints one clear line on failure, sets the exit code. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildCli();
  const args = argv.slice(2);
  const known = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  if (args.length && !args[0]!.startsWith('-') && !known.has(args[0]!)) {
    process.stderr.write(`newsdesk: unknown command '${args[0]}' (see newsdesk --help)\n`);
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
