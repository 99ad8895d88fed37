import { readFileSync } from 'node:fs';
import { AGENT_USAGE, agentCommand } from './agent.js';
import { backupCommand, restoreCommand } from './backup.js';
import { CLIENT_COMMANDS, clientCommand } from './client/commands.js';
import { DEPLOY_COMMANDS, DEPLOY_USAGE, deployCommand } from './client/deploy-commands.js';
import { IMAGES_USAGE, imagesCommand, REGISTRIES_USAGE, registriesCommand } from './client/images-command.js';
import { type CliIO, EXEC_USAGE, execCommand } from './exec.js';
import { IMPORT_USAGE, importCommand } from './import.js';
import { lintCommand } from './lint.js';
import { serverCommand } from './server.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: slipway <command> [options]

commands:
  server       start the server (SQLite, local Docker engine, embedded agent); what npm start runs
  exec         run the .slipway.yml of the current directory in containers, without a server
  lint [file]  check a .slipway.yml and print diagnostics (exit 1 on errors)
  import [f]   translate .gitlab-ci.yml, .woodpecker.yml or daocloud.yml into .slipway.yml
  agent        run a standalone agent: slipway agent --server URL --token T
  backup FILE  copy the SQLite database to FILE while the server runs (FILE must not exist)
  restore FILE replace the SQLite database with a backup (stop the server first)

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
  registries   registry credentials: slipway registries list|add|remove|check [--project P]
  apps         applications and their environments side by side: slipway apps PROJECT
  deploy       slipway deploy PROJECT APP ENV --image REF|--digest D|--run N
  promote      slipway promote PROJECT APP --from staging --to production (same digest)
  rollback     slipway rollback PROJECT APP ENV --to RELEASE
  approve      slipway approve PROJECT APP ENV RELEASE   scale: slipway scale PROJECT APP ENV --replicas N

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
      const usage = {
        exec: EXEC_USAGE,
        import: IMPORT_USAGE,
        agent: AGENT_USAGE,
        images: IMAGES_USAGE,
        registries: REGISTRIES_USAGE,
        ...Object.fromEntries(DEPLOY_COMMANDS.map((c) => [c, DEPLOY_USAGE])),
      };
      io.stdout(`${usage[command as keyof typeof usage] ?? USAGE}\n`);
      return 0;
    }
    switch (command) {
      case 'exec':
        return await execCommand(rest, io);
      case 'lint':
        return await lintCommand(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'server':
      case 'start':
        return await serverCommand(rest, io);
      case 'agent':
        return await agentCommand(rest, io);
      case 'backup':
        return await backupCommand(rest, io);
      case 'restore':
        return await restoreCommand(rest, io);
      case 'images':
        return await imagesCommand(rest, io);
      case 'registries':
        return await registriesCommand(rest, io);
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
      default:
        if ((DEPLOY_COMMANDS as readonly string[]).includes(command))
          return await deployCommand(command, rest, io);
        if ((CLIENT_COMMANDS as readonly string[]).includes(command))
          return await clientCommand(command, rest, io);
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `slipway ${pkg.version}`;
}

/** Entry point when run as a program (bin/slipway.js). */
export async function runFromProcess(): Promise<void> {
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
