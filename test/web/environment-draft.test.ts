/**
 * The environment form's draft ↔ API JSON: what the form sends is accepted by the server's own
 * input schema, settings the form does not show survive an edit, a health-check argv the user
 * did not touch is kept as is, and a server error path names the part of the form it is about.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { environmentConfigSchema } from '../../src/api/environment-config.js';
import type { EnvironmentJson } from '../../src/api/releases.js';
import { environmentInputSchema } from '../../src/api/releases.js';
import {
  draftOf,
  emptyDraft,
  environmentInput,
  fieldOf,
} from '../../web/src/pages/applications/environment-draft.js';

function envJson(config: unknown, extra: Partial<EnvironmentJson> = {}): EnvironmentJson {
  return {
    name: 'production',
    target: 'swarm',
    config: environmentConfigSchema.parse(config),
    requiresApproval: true,
    production: true,
    autoRelease: { branches: ['main'] },
    ...extra,
  } as EnvironmentJson;
}

describe('environment form draft', () => {
  it('an untouched edit sends back the same environment, hidden settings included', () => {
    const env = envJson({
      repository: 'registry.example.com/team/api',
      ports: [{ published: 8080, target: 80 }],
      replicas: 3,
      variables: { LOG_LEVEL: 'debug' },
      secrets: ['DB_PASSWORD'],
      healthcheck: { command: ['curl', '-f', 'http://localhost/'], intervalMs: 1500, startPeriodMs: 4000 },
      resources: { cpus: 0.5, memoryMb: 512 },
      update: { order: 'stop-first', parallelism: 2, failureAction: 'pause', delayMs: 100 },
      runsOn: { pool: 'production' },
      fourEyes: true,
      impact: { window: '30m', min_requests: 100 },
    });
    const sent = environmentInputSchema.parse(environmentInput(draftOf(env)));
    assert.deepEqual(sent.config, env.config);
    assert.equal(sent.target, 'swarm');
    assert.equal(sent.requiresApproval, true);
    assert.equal(sent.production, true);
    assert.deepEqual(sent.autoRelease, { branches: ['main'] });
  });

  it('a command typed in the form runs with sh -c; an empty form is a valid environment', () => {
    const draft = {
      ...emptyDraft('dev'),
      health: 'command' as const,
      healthCommand: 'wget -q -O- localhost:80 || exit 1',
    };
    const sent = environmentInputSchema.parse(environmentInput(draft));
    assert.deepEqual(sent.config.healthcheck?.command, ['sh', '-c', 'wget -q -O- localhost:80 || exit 1']);
    const empty = environmentInputSchema.parse(environmentInput(emptyDraft('dev')));
    assert.deepEqual(empty.config, environmentConfigSchema.parse({}));
    assert.equal(empty.autoRelease, null);
  });

  it('a value that is not a number reaches the server as typed, so its refusal names the field', () => {
    const draft = { ...emptyDraft('dev'), replicas: 'abc', ports: [{ published: '8080', target: '80' }] };
    const result = environmentInputSchema.safeParse(environmentInput(draft));
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['config', 'replicas']);
  });

  it('maps server error paths to the form part', () => {
    assert.equal(fieldOf('body.config.ports.1.published'), 'config.ports');
    assert.equal(fieldOf('body.environments.0.config.variables.bad-name'), 'config.variables');
    assert.equal(fieldOf('body.autoRelease.branches'), 'autoRelease');
    assert.equal(fieldOf(undefined), null);
  });
});
