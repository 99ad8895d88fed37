/**
 * Who owns the containers of a run: `io.slipway.owner=<hostname>:<pid>` of the agent process.
 * An agent killed hard (kill -9, OOM, power loss) cannot clean up; the next agent on the same
 * host finds its resources by this label and, the process being gone, removes them.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

export const OWNER_LABEL = 'io.slipway.owner';

export function ownerLabels(pid: number = process.pid): Record<string, string> {
  return { [OWNER_LABEL]: `${hostname()}:${pid}` };
}

/** Resources of another host, or without an owner, are not ours to judge: alive. */
export function isOwnerAlive(labels: Record<string, string>): boolean {
  const owner = labels[OWNER_LABEL];
  if (!owner) return true;
  const colon = owner.lastIndexOf(':');
  const pid = Number(owner.slice(colon + 1));
  if (owner.slice(0, colon) !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The installation scope of a standalone agent: derived from its token, so it is the same on
 * every start of this agent and differs from any other agent's or server's. Its cleanup and
 * pruning touch only what it created itself (the token itself is not revealed).
 */
export function agentScope(token: string): string {
  return `agent-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
