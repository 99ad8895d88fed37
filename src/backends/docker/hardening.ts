/**
 * What every job and service container is allowed (security rule 11a), in one place so both
 * kinds get the same. Jobs still run as root — images expect it (apt-get, npm ci into /usr,
 * chown of the workspace) — but a root with few capabilities, that can never gain more, inside
 * memory and process limits:
 *
 * - `no-new-privileges`: setuid/setgid binaries and file capabilities grant nothing on exec, so
 *   nothing a job runs can gain a capability it was not started with.
 * - All capabilities dropped, then only these added back (Docker's default set minus the rest):
 *     CHOWN             chown files (npm/yarn caches, `chown -R` of the workspace, dpkg).
 *     DAC_OVERRIDE      root reading/writing files it does not own (apt lists, caches, git).
 *     FOWNER            chmod/utime/set-xattr on files owned by others (tar -x, cp -p, npm).
 *     FSETID            keep setuid/setgid bits when a package installs such files (dpkg).
 *     SETGID, SETUID    switch user: apt-get drops to `_apt`, su/gosu/runuser, npm scripts.
 *     KILL              signal processes of another user the job started (test servers).
 *     NET_BIND_SERVICE  listen on ports below 1024 (a test server on :80).
 *   Dropped from Docker's default: NET_RAW (raw sockets: spoofing on the bridge; `ping` needs
 *   it), MKNOD (device nodes), SETFCAP/SETPCAP (handing out capabilities), SYS_CHROOT,
 *   AUDIT_WRITE.
 * - Memory (swap not added on top), process/thread count (a fork bomb stops at the limit) and,
 *   when set, CPUs: see domain/job-resources.ts for defaults and maxima.
 *
 * Build jobs run in the engine's BuildKit, not in such a container: these limits do not apply
 * to them (BuildKit's own sandbox does).
 */
import type Dockerode from 'dockerode';
import type { JobResources } from '../../domain/job-resources.js';

export const KEPT_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'SETGID',
  'SETUID',
  'KILL',
  'NET_BIND_SERVICE',
] as const;

/** The HostConfig fields that confine a job or service container. */
export function confinement(resources: JobResources): Dockerode.HostConfig {
  return {
    CapDrop: ['ALL'],
    CapAdd: [...KEPT_CAPABILITIES],
    SecurityOpt: ['no-new-privileges:true'],
    Privileged: false,
    Memory: resources.memoryBytes,
    // Equal to Memory: no swap beyond the limit, so the limit is what the job really gets.
    MemorySwap: resources.memoryBytes,
    PidsLimit: resources.pids,
    ...(resources.cpus !== null ? { NanoCpus: Math.round(resources.cpus * 1e9) } : {}),
  };
}
