/**
 * `slipway exec --max-memory/--max-pids/--max-cpus`: on a laptop the person running exec is the
 * admin, so these play the server's SLIPWAY_JOB_MAX_* part. Defaults stay the built-in ones,
 * lowered to a maximum given here.
 */
import {
  BUILTIN_RESOURCE_LIMITS,
  MIN_MEMORY_BYTES,
  MIN_PIDS,
  parseMemorySize,
  type ResourceLimits,
} from '../domain/job-resources.js';
import { UsageError } from './usage-error.js';

export function execResourceLimits(values: {
  'max-memory'?: string;
  'max-pids'?: string;
  'max-cpus'?: string;
}): ResourceLimits {
  const builtin = BUILTIN_RESOURCE_LIMITS;
  const max = { ...builtin.max };
  if (values['max-memory'] !== undefined) {
    const bytes = parseMemorySize(values['max-memory']);
    if (bytes === null || bytes < MIN_MEMORY_BYTES)
      throw new UsageError('--max-memory expects a size of at least 6m, like 512m or 4g');
    max.memoryBytes = bytes;
  }
  if (values['max-pids'] !== undefined) {
    const pids = Number(values['max-pids']);
    if (!Number.isInteger(pids) || pids < MIN_PIDS)
      throw new UsageError(`--max-pids expects a whole number of at least ${MIN_PIDS}`);
    max.pids = pids;
  }
  if (values['max-cpus'] !== undefined) {
    const cpus = Number(values['max-cpus']);
    if (!Number.isFinite(cpus) || cpus <= 0) throw new UsageError('--max-cpus expects a positive number');
    max.cpus = cpus;
  }
  return {
    default: {
      memoryBytes: Math.min(builtin.default.memoryBytes, max.memoryBytes),
      pids: Math.min(builtin.default.pids, max.pids),
      cpus: builtin.default.cpus,
    },
    max,
  };
}
