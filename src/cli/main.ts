import { readFileSync } from 'node:fs';
import type { CliIO } from './exec.js';
import { UsageError } from './usage-error.js';

// Every command's module is imported when that command runs, never up front: `slipway lint` or
// `--version` must not pay for loading the server, Docker client and database drivers (issue
// #11: CLI start-up ≤ 0.2 s). Only type imports and this file's own light helpers are static.

const USAGE = `usage: slipway <command> [options]

commands:
  server       start the server (SQLite, local Docker engine, embedded agent); what npm start runs
  exec         run the .slipway.yml of the current directory in containers, without a server
  lint [file]  check a .slipway.yml and print diagnostics (exit 1 on errors)
  import [f]   translate .gitlab-ci.yml, .woodpecker.yml or daocloud.yml into .slipway.yml
  agent        run a standalone agent: slipway agent --server URL --token T
  backup FILE  copy the SQLite database to FILE while the server runs (FILE must not exist)
  restore FILE replace the SQLite database with a backup (stop the server first)
  cache        job caches on this machine's Docker engine: slipway cache ls|clear [--project P]

talking to a server (after slipway login):
  login        slipway login --server URL (--token T | --username U --password-stdin)
  projects     list projects and their latest record
  runs         the execution records of a project [--project P] [--branch B] [--status S]
  run          start a run by hand: --branch B | --tag T [--var K=V] [-f to follow]
  logs         slipway logs [-f] RUN [--job J]
  cancel       slipway cancel RUN
  rerun        slipway rerun RUN [--failed]   (--failed: resume from the failed jobs)
  secrets      slipway secrets ls | set NAME | rm NAME
  images       the image repositories and tags of a project: slipway images PROJECT
  artifacts    download a run's artifacts: slipway artifacts RUN [--job J] [-o DIR]
  registries   registry credentials: slipway registries list|add|remove|check [--project P]
  apps         applications and their environments side by side: slipway apps PROJECT
  deploy       slipway deploy PROJECT APP ENV --image REF|--digest D|--run N
  promote      slipway promote PROJECT APP --from staging --to production (same digest)
  rollback     slipway rollback PROJECT APP ENV --to RELEASE
  approve      slipway approve PROJECT APP ENV RELEASE   scale: slipway scale PROJECT APP ENV --replicas N
  users        accounts (admins): slipway users ls|add|invite|role|disable|enable|reset|rm
  passwd       change your own password
  members      who may read and act in a project: slipway members P [ls|add U --role R|rm U] [--visibility V]
  insights     DORA delivery metrics: slipway insights --project P --env production --since 30d
  impact       release impact (before vs after, verdict): slipway impact APP [--release N]

  version      print the version
  Every command takes --json where it prints data.

Run 'slipway <command> --help' for a command's options.`;

/**
 * The `slipway` command. Every failure the user can cause is a UsageError (exit 2, one clear
 * line); anything else is reported without a stack trace unless SLIPWAY_DEBUG is set.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${(await commandUsage(command)) ?? USAGE}\n`);
      return 0;
    }
    switch (command) {
      case 'exec':
        return await (await import('./exec.js')).execCommand(rest, io);
      case 'lint':
        return await (await import('./lint.js')).lintCommand(rest, io);
      case 'import':
        return await (await import('./import.js')).importCommand(rest, io);
      case 'server':
      case 'start':
        return await (await import('./server.js')).serverCommand(rest, io);
      case 'agent':
        return await (await import('./agent.js')).agentCommand(rest, io);
      case 'backup':
        return await (await import('./backup.js')).backupCommand(rest, io);
      case 'restore':
        return await (await import('./backup.js')).restoreCommand(rest, io);
      case 'cache':
        return await (await import('./cache-command.js')).cacheCommand(rest, io);
      case 'images':
        return await (await import('./client/images-command.js')).imagesCommand(rest, io);
      case 'artifacts':
        return await (await import('./client/artifacts-command.js')).artifactsCommand(rest, io);
      case 'registries':
        return await (await import('./client/images-command.js')).registriesCommand(rest, io);
      case 'users':
        return await (await import('./client/users-command.js')).usersCommand(rest, io);
      case 'passwd':
        return await (await import('./client/users-command.js')).passwdCommand(rest, io);
      case 'members':
        return await (await import('./client/members-command.js')).membersCommand(rest, io);
      case 'insights':
        return await (await import('./insights.js')).insightsCommand(rest, io);
      case 'impact':
        return await (await import('./client/impact-command.js')).impactCommand(rest, io);
      case 'version':
      case '--version':
        io.stdout(`${version()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default: {
        const deploy = await import('./client/deploy-commands.js');
        if ((deploy.DEPLOY_COMMANDS as readonly string[]).includes(command))
          return await deploy.deployCommand(command, rest, io);
        const client = await import('./client/commands.js');
        if ((client.CLIENT_COMMANDS as readonly string[]).includes(command))
          return await client.clientCommand(command, rest, io);
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`slipway: ${(error as Error).message}\n`);
      return 2;
    }
    io.stderr(`slipway: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.SLIPWAY_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return 70;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}

/** A command's own usage text (loading only that command's module), or null for the general one. */
async function commandUsage(command: string | undefined): Promise<string | null> {
  switch (command) {
    case 'exec':
      return (await import('./exec.js')).EXEC_USAGE;
    case 'agent':
      return (await import('./agent.js')).AGENT_USAGE;
    case 'images':
      return (await import('./client/images-command.js')).IMAGES_USAGE;
    case 'registries':
      return (await import('./client/images-command.js')).REGISTRIES_USAGE;
    case 'users':
      return (await import('./client/users-command.js')).USERS_USAGE;
    case 'passwd':
      return (await import('./client/users-command.js')).PASSWD_USAGE;
    case 'members':
      return (await import('./client/members-command.js')).MEMBERS_USAGE;
    case 'cache':
      return (await import('./cache-command.js')).CACHE_USAGE;
    case 'insights':
      return (await import('./insights.js')).INSIGHTS_USAGE;
    case 'impact':
      return (await import('./client/impact-command.js')).IMPACT_USAGE;
    case 'import':
      return (await import('./import.js')).IMPORT_USAGE;
    case 'artifacts':
      return (await import('./client/artifacts-command.js')).ARTIFACTS_USAGE;
    case 'backup':
      return (await import('./backup.js')).BACKUP_USAGE;
    case 'restore':
      return (await import('./backup.js')).RESTORE_USAGE;
    default: {
      const own = (await import('./client/client-usage.js')).COMMAND_USAGE[command ?? ''];
      if (own) return own;
      const deploy = await import('./client/deploy-commands.js');
      return (deploy.DEPLOY_COMMANDS as readonly string[]).includes(command ?? '')
        ? deploy.deployUsage(command ?? '')
        : null;
    }
  }
}

/** package.json sits two levels above both src/cli/ and its compiled twin dist/cli/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `slipway ${pkg.version}`;
}

/** Entry point when run as a program (bin/slipway.js). */
export async function runFromProcess(): Promise<void> {
  // A reader that went away (`slipway logs 14 | head`) is not an error: stop quietly as `cat`
  // does, instead of Node's unhandled EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  const code = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    interrupts: process,
  });
  process.exitCode = code;
}
