/**
 * `slipway <command> --help` for the commands that talk to a server, and for the few local
 * commands without a module-level usage of their own. Kept apart from the command code so that
 * asking for help loads nothing else.
 */
const PROJECT =
  '  --project P   the project (default: SLIPWAY_PROJECT, else the git remote of this directory)';
const JSON_FLAG = '  --json        print the API answer as JSON';

export const COMMAND_USAGE: Record<string, string> = {
  login: `usage: slipway login --server URL (--token T | --username U --password-stdin)

Saves the server and an API token for the other commands. With a user name, signs in once and
creates a named token; the password itself is never stored.
  --server URL        the Slipway server (or SLIPWAY_SERVER)
  --token T           an API token created on the Account page (or SLIPWAY_TOKEN)
  --username U        sign in with a password instead
  --password-stdin    read the password from standard input (or SLIPWAY_PASSWORD)`,
  projects: `usage: slipway projects [--json]

Lists the projects you can read, their source and latest record.
${JSON_FLAG}`,
  runs: `usage: slipway runs [--project P] [--branch B] [--status S] [--limit N] [--json]

The execution records of a project, newest first.
${PROJECT}
  --branch B    only this branch
  --status S    only runs in this state (succeeded, failed, running, canceled…)
  --limit N     at most N records
${JSON_FLAG}`,
  run: `usage: slipway run (--branch B | --tag T) [--var K=V …] [-f] [--project P] [--json]

Starts a run by hand on the newest commit of a branch or tag.
${PROJECT}
  --var K=V     a variable for this run (repeatable)
  -f, --follow  print the logs until the run ends; the exit code is the run's result
${JSON_FLAG}`,
  logs: `usage: slipway logs RUN [--job J] [-f] [--project P]

Prints a run's job logs (all jobs, or one). RUN is the record number.
${PROJECT}
  --job J       only this job
  -f, --follow  keep printing until the job ends`,
  cancel: `usage: slipway cancel RUN [--project P] [--json]

Cancels a queued or running run.
${PROJECT}
${JSON_FLAG}`,
  rerun: `usage: slipway rerun RUN [--failed] [--project P] [--json]

Runs a record's commit again as a new record.
${PROJECT}
  --failed      resume from the failed jobs, keeping the successful ones
${JSON_FLAG}`,
  secrets: `usage: slipway secrets ls | set NAME [--value V] | rm NAME [--project P] [--json]

A project's secrets. Values are write-only: \`set\` reads the value from --value or standard input.
${PROJECT}
${JSON_FLAG}`,
  lint: `usage: slipway lint [file] [--json]

Checks a pipeline file (default .slipway.yml) and prints each problem with line:column and a
suggestion. Exit 1 when there are errors, 0 with warnings only.
  --json        the diagnostics as JSON`,
  server: `usage: slipway server

Starts the server on its embedded defaults: SQLite in ./data, the local Docker engine and an
embedded agent. Configured only through SLIPWAY_* variables (see the README's Configuration).`,
  version: `usage: slipway version

Prints the version of this slipway.`,
};
COMMAND_USAGE.start = COMMAND_USAGE.server as string;
