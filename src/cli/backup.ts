import { resolve } from 'node:path';
import { ConfigError, loadServerConfig, type ServerConfig } from '../server/config.js';
import { BackupRefused, backupDatabase, restoreDatabase } from '../server/store/backup.js';
import type { CliIO } from './exec.js';
import { UsageError } from './usage-error.js';

export const BACKUP_USAGE =
  'usage: slipway backup FILE   (online copy of the SQLite database; FILE must not exist)';
export const RESTORE_USAGE =
  'usage: slipway restore FILE  (replace the SQLite database with a backup; server stopped)';

/** `slipway backup FILE`: a consistent copy of the server's database, safe while it runs. */
export async function backupCommand(argv: string[], io: CliIO): Promise<number> {
  const file = oneFile(argv, BACKUP_USAGE);
  const config = serverConfig(io);
  const { bytes } = await asUsage(() => backupDatabase(config.databaseUrl, resolveIn(io, file)));
  io.stdout(`backed up ${databasePath(config)} to ${resolveIn(io, file)} (${formatBytes(bytes)})\n`);
  return 0;
}

/** `slipway restore FILE`: replaces the server's database with a backup; refuses while it runs. */
export async function restoreCommand(argv: string[], io: CliIO): Promise<number> {
  const file = oneFile(argv, RESTORE_USAGE);
  const config = serverConfig(io);
  await asUsage(() => restoreDatabase(config.databaseUrl, resolveIn(io, file), config.dataDir));
  io.stdout(`restored ${databasePath(config)} from ${resolveIn(io, file)}\n`);
  return 0;
}

function oneFile(argv: string[], usage: string): string {
  if (argv.length !== 1 || argv[0] === '' || argv[0]?.startsWith('-')) throw new UsageError(usage);
  return argv[0] as string;
}

function serverConfig(io: CliIO): ServerConfig {
  try {
    return loadServerConfig(io.env, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** A refusal (running server, wrong file, existing destination) is the user's to fix: exit 2. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof BackupRefused) throw new UsageError(error.message);
    throw error;
  }
}

function resolveIn(io: CliIO, file: string): string {
  return resolve(io.cwd, file);
}

function databasePath(config: ServerConfig): string {
  return config.databaseUrl.replace(/^sqlite:/, '');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
