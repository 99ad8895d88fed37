/**
 * The agents table: who may lease work. An agent proves itself with its own bearer token
 * (`sla_…`, shown once at creation); only the token's sha256 is stored, and a lookup by hash
 * needs no constant-time compare since a caller cannot choose the hash.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AgentInfoMessage } from '../../protocol/agent-protocol.js';
import { sha256Hex } from '../auth/credentials.js';
import { conflict } from '../errors.js';
import type { AgentRow, Database } from '../store/tables.js';

export const AGENT_TOKEN_PREFIX = 'sla_';
/** The name of the server's own in-process agent. */
export const EMBEDDED_AGENT_NAME = 'embedded';

/** last_seen_at is a hint for `GET /api/agents`: written at most this often per agent. */
const SEEN_INTERVAL_MS = 5_000;

export function newAgentToken(): string {
  return `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export async function createAgent(
  db: Kysely<Database>,
  input: { name: string; embedded: boolean; now: number },
): Promise<{ agent: AgentRow; token: string }> {
  const taken = await db.selectFrom('agents').select('id').where('name', '=', input.name).executeTakeFirst();
  if (taken) throw conflict(`an agent named "${input.name}" already exists`);
  const token = newAgentToken();
  const agent: AgentRow = {
    id: randomUUID(),
    name: input.name,
    token_hash: sha256Hex(token),
    embedded: input.embedded ? 1 : 0,
    created_at: input.now,
    last_seen_at: null,
    labels: '{}',
  };
  await db.insertInto('agents').values(agent).execute();
  return { agent, token };
}

/** The agent a bearer token belongs to, or null (unknown, revoked, or not an agent token). */
export async function findAgentByToken(db: Kysely<Database>, token: string): Promise<AgentRow | null> {
  if (!token.startsWith(AGENT_TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  return row ?? null;
}

/**
 * The embedded agent's row, created on first use. Its token is never shown to anyone: the
 * embedded agent talks to the queue in-process, so a random value nobody knows fills the column.
 */
export async function ensureEmbeddedAgent(db: Kysely<Database>, now: number): Promise<AgentRow> {
  const existing = await db.selectFrom('agents').selectAll().where('embedded', '=', 1).executeTakeFirst();
  if (existing) return existing;
  return (await createAgent(db, { name: EMBEDDED_AGENT_NAME, embedded: true, now })).agent;
}

/** Records that the agent called; throttled so a busy agent does not write on every call. */
export async function markSeen(db: Kysely<Database>, agentId: string, now: number): Promise<void> {
  await db
    .updateTable('agents')
    .set({ last_seen_at: now })
    .where('id', '=', agentId)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', now - SEEN_INTERVAL_MS)]))
    .execute();
}

/**
 * Records the labels an agent declares (with each lease request): the lease query reads them
 * from the agent's row. Written only when they changed, so a polling agent does not write.
 */
export async function declareLabels(
  db: Kysely<Database>,
  agentId: string,
  labels: Record<string, string>,
): Promise<void> {
  const json = JSON.stringify(
    Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
  await db
    .updateTable('agents')
    .set({ labels: json })
    .where('id', '=', agentId)
    .where('labels', '!=', json)
    .execute();
}

/** Records the agent's version and capacity (with each lease request); written only when changed. */
export async function declareAgentInfo(
  db: Kysely<Database>,
  agentId: string,
  info: AgentInfoMessage,
): Promise<void> {
  const json = JSON.stringify({ version: info.version, capacity: info.capacity });
  await db
    .updateTable('agents')
    .set({ info: json })
    .where('id', '=', agentId)
    .where('info', '!=', json)
    .execute();
}

function infoOfRow(agent: Pick<AgentRow, 'info'>): { version: string | null; capacity: number | null } {
  try {
    const parsed = JSON.parse(agent.info ?? '{}') as { version?: unknown; capacity?: unknown };
    return {
      version: typeof parsed.version === 'string' ? parsed.version : null,
      capacity: typeof parsed.capacity === 'number' ? parsed.capacity : null,
    };
  } catch {
    return { version: null, capacity: null };
  }
}

export function labelsOfRow(agent: Pick<AgentRow, 'labels'>): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(agent.labels ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export interface AgentSummary {
  id: string;
  name: string;
  embedded: boolean;
  /** What the agent declared on its last lease request (with its host's os and arch). */
  labels: Record<string, string>;
  /** Declared by the agent; null for agents that never said (older versions, never connected). */
  version: string | null;
  capacity: number | null;
  createdAt: number;
  lastSeenAt: number | null;
  leases: { leaseId: string; runId: string; projectId: string; leasedAt: number; heartbeatAt: number }[];
}

export async function listAgents(db: Kysely<Database>): Promise<AgentSummary[]> {
  const agents = await db.selectFrom('agents').selectAll().orderBy('created_at').orderBy('id').execute();
  const leases = await db
    .selectFrom('queue')
    .select(['agent_id', 'lease_id', 'run_id', 'project_id', 'leased_at', 'heartbeat_at'])
    .where('status', '=', 'leased')
    .orderBy('leased_at')
    .execute();
  return agents.map((a) => ({
    id: a.id,
    name: a.name,
    embedded: a.embedded === 1,
    labels: labelsOfRow(a),
    ...infoOfRow(a),
    createdAt: a.created_at,
    lastSeenAt: a.last_seen_at,
    leases: leases
      .filter((l) => l.agent_id === a.id)
      .map((l) => ({
        leaseId: l.lease_id ?? '',
        runId: l.run_id,
        projectId: l.project_id,
        leasedAt: l.leased_at ?? 0,
        heartbeatAt: l.heartbeat_at ?? 0,
      })),
  }));
}
