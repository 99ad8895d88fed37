/**
 * How much of the machine one job (and each of its service containers) may use: memory, process
 * count (threads included) and CPUs. A job may ask in `.slipway.yml` (`resources:`); whoever
 * runs the jobs sets a default and a maximum (the server's SLIPWAY_JOB_* settings, or the
 * options of `slipway exec`).
 *
 * A request above the maximum is limited to the maximum, with a warning in the job's log, rather
 * than refused as a config error: the maxima belong to the machine that runs the job, so the
 * same file would otherwise be valid on one server (or laptop) and invalid on another, and no
 * linter could tell.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** What a job asked for; absent fields take the default. */
export interface ResourceRequest {
  memoryBytes?: number;
  pids?: number;
  cpus?: number;
}

/** What a job gets. `cpus` null: no CPU limit. */
export interface JobResources {
  memoryBytes: number;
  pids: number;
  cpus: number | null;
}

export interface ResourceLimits {
  /** For jobs that ask for nothing (each is capped by `max` too). */
  default: JobResources;
  max: JobResources;
}

/**
 * Built in, when nobody configured anything. 4 GiB and 2048 processes fit a typical
 * `npm ci` + bundler or a parallel compile, and stop a leak or a fork bomb from taking the host.
 */
export const BUILTIN_RESOURCE_LIMITS: ResourceLimits = {
  default: { memoryBytes: 4 * GiB, pids: 2048, cpus: null },
  max: { memoryBytes: 16 * GiB, pids: 16384, cpus: null },
};

/** Below this Docker refuses to start a container. */
export const MIN_MEMORY_BYTES = 6 * MiB;
/** Fewer leaves no room for an init, a shell and a command. */
export const MIN_PIDS = 16;

const UNITS: Record<string, number> = { '': 1, b: 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB };

/**
 * `512m`, `2g`, `1.5G`, `256MiB`, `1048576` (bytes) — the units `docker run --memory` takes,
 * binary (k = 1024). Null when the text is not a size.
 */
export function parseMemorySize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNITS[(match[2] as string).toLowerCase()] as number;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `512 MiB`, `4 GiB`, `1.5 GiB`. */
export function formatMemorySize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} B`;
}

/** A request above the maximum: what, both values as people read them, and the English line. */
export interface ResourceWarning {
  what: 'memory' | 'pids' | 'cpus';
  asked: string;
  max: string;
  text: string;
}

/** The limits a job runs with, and a warning per request that was above the maximum. */
export function resolveResources(
  request: ResourceRequest | undefined,
  limits: ResourceLimits,
): { resources: JobResources; warnings: ResourceWarning[] } {
  const warnings: ResourceWarning[] = [];
  const pick = <T extends number>(
    what: ResourceWarning['what'],
    asked: T | undefined,
    fallback: T,
    max: T,
    show: (value: T) => string,
  ): T => {
    if (asked === undefined) return Math.min(fallback, max) as T;
    if (asked <= max) return asked;
    const [a, m] = [show(asked), show(max)];
    warnings.push({
      what,
      asked: a,
      max: m,
      text: `resources: ${what} ${a} asked, limited to the maximum allowed here, ${m}`,
    });
    return max;
  };
  const memoryBytes = pick(
    'memory',
    request?.memoryBytes,
    limits.default.memoryBytes,
    limits.max.memoryBytes,
    formatMemorySize,
  );
  const pids = pick('pids', request?.pids, limits.default.pids, limits.max.pids, String);
  // No CPU maximum: a job gets what it asked for, else the default (which may be no limit).
  const maxCpus = limits.max.cpus;
  const cpus =
    maxCpus === null
      ? (request?.cpus ?? limits.default.cpus)
      : pick('cpus', request?.cpus, limits.default.cpus ?? maxCpus, maxCpus, String);
  return { resources: { memoryBytes, pids, cpus }, warnings };
}
