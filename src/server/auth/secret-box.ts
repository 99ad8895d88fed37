import type { ServerConfig } from '../config.js';
import type { SecretBox } from '../services.js';

/** STUB — AES-256-GCM with the configured key or one generated into <dataDir>/secret.key. */
export function loadSecretBox(_config: ServerConfig): SecretBox {
  return { seal: (p) => p, open: (s) => s };
}
