import { parseArgs } from 'node:util';
import type { UserJson } from '../../api/accounts.js';
import type { CliIO } from '../exec.js';
import { textTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { clientFrom } from './context.js';
import { loadCredentials } from './credentials.js';
import { readPasswords } from './password-input.js';

export const USERS_USAGE = `usage: slipway users [ls] [--json]
       slipway users add NAME --role viewer|maintainer|admin [--must-change] [--password-stdin]
       slipway users invite --role R [--hours N]      print a one-time invitation link
       slipway users role NAME R | disable NAME | enable NAME | rm NAME
       slipway users reset NAME [--password-stdin]     they must choose a new one at next sign-in
  Admins only. Passwords come from stdin, SLIPWAY_USER_PASSWORD, or a hidden prompt.`;

export const PASSWD_USAGE = `usage: slipway passwd [--server URL --username U] [--password-stdin]
  Changes your own password: the current one, then the new one (stdin lines, SLIPWAY_PASSWORD
  and SLIPWAY_NEW_PASSWORD, or hidden prompts). With --username it signs in with the password
  (needed when a generated password must be replaced, as no token works before that); otherwise
  it uses the credentials of slipway login. Other sessions are signed out.`;

export async function usersCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      role: { type: 'string' },
      hours: { type: 'string' },
      'must-change': { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
    },
  });
  const [sub = 'ls', name, extra] = positionals;
  const api = clientFrom(io);
  const path = (user: string | undefined) => {
    if (!user) throw new UsageError(`users ${sub} needs a user name\n\n${USERS_USAGE}`);
    return `/api/users/${encodeURIComponent(user)}`;
  };
  const state = (u: UserJson) =>
    u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active';
  const show = (u: UserJson) => `${u.username}  ${u.role}  ${state(u)}\n`;
  const password = async () =>
    (
      await readPasswords(
        io,
        [{ env: 'SLIPWAY_USER_PASSWORD', prompt: 'Password' }],
        Boolean(values['password-stdin']),
      )
    )[0] as string;
  switch (sub) {
    case 'ls': {
      const users = await api.request<UserJson[]>('GET', '/api/users');
      io.stdout(
        values.json
          ? `${JSON.stringify(users, null, 2)}\n`
          : textTable([['USER', 'ROLE', 'STATE'], ...users.map((u) => [u.username, u.role, state(u)])]),
      );
      return 0;
    }
    case 'add': {
      if (!name || !values.role) throw new UsageError(`users add needs NAME and --role\n\n${USERS_USAGE}`);
      const body = {
        username: name,
        role: values.role,
        password: await password(),
        mustChangePassword: Boolean(values['must-change']),
      };
      io.stdout(show(await api.request<UserJson>('POST', '/api/users', body)));
      return 0;
    }
    case 'invite': {
      if (!values.role) throw new UsageError(`users invite needs --role\n\n${USERS_USAGE}`);
      const hours = values.hours === undefined ? undefined : Number(values.hours);
      if (hours !== undefined && !Number.isInteger(hours))
        throw new UsageError('--hours must be a whole number');
      const made = await api.request<{ path: string; url: string | null; expiresAt: number }>(
        'POST',
        '/api/invites',
        {
          role: values.role,
          ...(hours === undefined ? {} : { expiresInHours: hours }),
        },
      );
      const link = made.url ?? `${api.server.replace(/\/+$/, '')}${made.path}`;
      io.stdout(
        values.json
          ? `${JSON.stringify({ ...made, link }, null, 2)}\n`
          : `${link}\n(works once, until ${new Date(made.expiresAt).toISOString()})\n`,
      );
      return 0;
    }
    case 'role':
      if (!extra) throw new UsageError(`users role needs NAME and a role\n\n${USERS_USAGE}`);
      io.stdout(show(await api.request<UserJson>('PATCH', path(name), { role: extra })));
      return 0;
    case 'disable':
    case 'enable':
      io.stdout(show(await api.request<UserJson>('PATCH', path(name), { disabled: sub === 'disable' })));
      return 0;
    case 'reset':
      io.stdout(show(await api.request<UserJson>('PATCH', path(name), { password: await password() })));
      return 0;
    case 'rm':
      await api.request('DELETE', path(name));
      io.stdout(`deleted ${name}\n`);
      return 0;
    default:
      throw new UsageError(`unknown users command "${sub}"\n\n${USERS_USAGE}`);
  }
}

export async function passwdCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  const [current, next] = (await readPasswords(
    io,
    [
      { env: 'SLIPWAY_PASSWORD', prompt: 'Current password' },
      { env: 'SLIPWAY_NEW_PASSWORD', prompt: 'New password' },
    ],
    Boolean(values['password-stdin']),
  )) as [string, string];
  const body = JSON.stringify({ currentPassword: current, newPassword: next });
  if (values.username) {
    const server = (values.server ?? io.env.SLIPWAY_SERVER ?? loadCredentials(io.env).server).replace(
      /\/+$/,
      '',
    );
    const signIn = await fetch(`${server}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: values.username, password: current }),
    }).catch((error: Error) => {
      throw new UsageError(`cannot reach ${server}: ${error.cause ?? error.message}`);
    });
    if (!signIn.ok)
      throw new UsageError(`sign-in refused: ${signIn.status} ${(await signIn.text()).slice(0, 200)}`);
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await fetch(`${server}/api/me/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body,
    });
    if (!res.ok)
      throw new UsageError(`PUT /api/me/password: ${res.status} ${(await res.text()).slice(0, 300)}`);
  } else {
    await clientFrom(io).request('PUT', '/api/me/password', JSON.parse(body));
  }
  io.stdout('password changed; your other sessions were signed out\n');
  return 0;
}
