/**
 * Spec fields in the engine's units, shared by the local and the Swarm target: health checks
 * (nanoseconds), CPU (nano-CPUs) and memory (bytes).
 */
import type { DeploySpec, HealthCheck } from './deploy-target.js';

const NS_PER_MS = 1_000_000;

export interface EngineHealthConfig {
  Test: string[];
  Interval: number;
  Timeout: number;
  Retries: number;
  StartPeriod: number;
}

/**
 * An HTTP check runs inside the container, so the image needs wget or curl (busybox and
 * most distributions have one of them); a command check runs as given.
 */
export function engineHealthcheck(check: HealthCheck): EngineHealthConfig {
  const test =
    check.kind === 'http'
      ? [
          'CMD-SHELL',
          `if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null ${httpUrl(check)}; else curl -fsS -o /dev/null ${httpUrl(check)}; fi || exit 1`,
        ]
      : ['CMD', ...check.command];
  return {
    Test: test,
    Interval: check.intervalMs * NS_PER_MS,
    Timeout: check.timeoutMs * NS_PER_MS,
    Retries: check.retries,
    StartPeriod: check.startPeriodMs * NS_PER_MS,
  };
}

function httpUrl(check: { path: string; port: number }): string {
  const path = check.path.startsWith('/') ? check.path : `/${check.path}`;
  // Single-quoted for the shell; a quote in the path is escaped the POSIX way.
  return `'http://127.0.0.1:${check.port}${path.replace(/'/g, `'\\''`)}'`;
}

/** How long a new container may take to become healthy: start period + retries × interval (+ slack). */
export function healthDeadlineMs(check: HealthCheck): number {
  return check.startPeriodMs + (check.retries + 1) * (check.intervalMs + check.timeoutMs) + 2_000;
}

export function engineResources(resources: DeploySpec['resources']): { NanoCpus?: number; Memory?: number } {
  const out: { NanoCpus?: number; Memory?: number } = {};
  if (resources.cpus !== null) out.NanoCpus = Math.round(resources.cpus * 1e9);
  if (resources.memoryMb !== null) out.Memory = Math.round(resources.memoryMb * 1024 * 1024);
  return out;
}

export function envList(variables: Record<string, string>): string[] {
  return Object.entries(variables).map(([k, v]) => `${k}=${v}`);
}
