/** Whether the Docker engine answers, bounded, with a reason naming its address when not. */
import type Dockerode from 'dockerode';
import { engineMessage } from './errors.js';

const PROBE_TIMEOUT_MS = 3000;

export async function probeEngine(docker: Dockerode): Promise<{ ok: true } | { ok: false; reason: string }> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  // dockerode's ping takes an abortSignal, its types do not; aborting (rather than racing a
  // timer) matters because a hung request would keep the process alive.
  const ping = docker.ping as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
  try {
    await ping.call(docker, { abortSignal: timeout });
    return { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = timeout.aborted
      ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
      : typeof code === 'string'
        ? code
        : engineMessage(err);
    return { ok: false, reason: `cannot reach the Docker engine at ${engineAddress(docker)}: ${why}` };
  }
}

function engineAddress(docker: Dockerode): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown };
  if (typeof modem.socketPath === 'string') return modem.socketPath;
  return `${String(modem.host)}:${String(modem.port)}`;
}
