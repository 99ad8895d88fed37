import { parseArgs } from 'node:util';
import type { MembersJson } from '../../api/accounts.js';
import type { CliIO } from '../exec.js';
import { UsageError } from '../usage-error.js';
import { clientFrom } from './context.js';

export const MEMBERS_USAGE = `usage: slipway members PROJECT [ls] [--json]
       slipway members PROJECT add USER --role viewer|developer|maintainer   (also changes a role)
       slipway members PROJECT rm USER
       slipway members PROJECT --visibility private|internal|public
  Who may read and act in a project. viewer reads; developer also runs, cancels, retries and
  deploys; maintainer also changes settings, secrets, members and approves releases. private:
  members only; internal: every signed-in user reads; public: also without sign-in (when the
  server allows it). Project maintainers and admins change members and visibility.`;

const ROLES = ['viewer', 'developer', 'maintainer'];
const VISIBILITIES = ['private', 'internal', 'public'];

export async function membersCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, role: { type: 'string' }, visibility: { type: 'string' } },
  });
  const [project, sub = 'ls', user] = positionals;
  if (!project) throw new UsageError(`members needs a PROJECT\n\n${MEMBERS_USAGE}`);
  const api = clientFrom(io);
  const base = `/api/projects/${encodeURIComponent(project)}`;
  const member = () => {
    if (!user) throw new UsageError(`members ${sub} needs a USER\n\n${MEMBERS_USAGE}`);
    return `${base}/members/${encodeURIComponent(user)}`;
  };
  if (values.visibility !== undefined) {
    if (!VISIBILITIES.includes(values.visibility)) {
      throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(', ')}`);
    }
    const answer = await api.request<{ visibility: string }>('PUT', `${base}/visibility`, {
      visibility: values.visibility,
    });
    io.stdout(values.json ? `${JSON.stringify(answer)}\n` : `${project}: ${answer.visibility}\n`);
    if (positionals.length === 1) return 0;
  }
  switch (sub) {
    case 'ls':
    case 'list': {
      const list = await api.request<MembersJson>('GET', `${base}/members`);
      if (values.json) {
        io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        return 0;
      }
      const rows = list.members.map(
        (m) => `${m.username.padEnd(24)} ${m.role.padEnd(11)} ${m.instanceRole}\n`,
      );
      io.stdout(
        `visibility: ${list.visibility}\n${'USER'.padEnd(24)} ${'ROLE'.padEnd(11)} INSTANCE ROLE\n${rows.join('')}`,
      );
      return 0;
    }
    case 'add': {
      if (!values.role || !ROLES.includes(values.role)) {
        throw new UsageError(`members add needs --role ${ROLES.join('|')}\n\n${MEMBERS_USAGE}`);
      }
      const answer = await api.request<{ username: string; role: string }>('PUT', member(), {
        role: values.role,
      });
      io.stdout(
        values.json ? `${JSON.stringify(answer)}\n` : `${answer.username} is ${answer.role} of ${project}\n`,
      );
      return 0;
    }
    case 'rm':
    case 'remove': {
      await api.request('DELETE', member());
      io.stdout(values.json ? '{}\n' : `${user} is no longer a member of ${project}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown members command "${sub}"\n\n${MEMBERS_USAGE}`);
  }
}
