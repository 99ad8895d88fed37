/**
 * One environment of an application on the Applications page: running version, observed (or
 * last-release) health and replicas, and the deploy / promote / approve / scale actions.
 */
import { type ReactNode, useState } from 'react';
import type { EnvironmentJson } from '../../../src/api/releases.js';
import { useI18n } from '../app/i18n-context.js';
import { keepControlledFields } from '../components/form-action.js';
import { SubmitButton } from '../components/SubmitButton.js';
import { formatTime } from '../i18n/format.js';
import type { TFunction } from '../i18n/index.js';
import { shortImage } from './short-image.js';

/**
 * Observed health words say what the engine shows ("degraded (not every replica healthy)"),
 * release health words what the last release did; the four observed values have their own texts.
 */
function healthText(env: EnvironmentJson, t: TFunction): string {
  const h = env.health;
  const observedWord = h === 'healthy' || h === 'degraded' || h === 'down' || h === 'unknown';
  return env.healthSource === 'observed' && observedWord ? t(`apps.observed.${h}`) : t(`apps.health.${h}`);
}

export function EnvironmentCard({
  app,
  env,
  previous,
  t,
  act,
  canDeploy = true,
  canApprove = true,
  children,
}: {
  app: string;
  env: EnvironmentJson;
  previous: string | null;
  t: TFunction;
  act: (path: string, body: unknown) => Promise<void>;
  /** Deploy, promote and scale need the developer role: without it the card only shows. */
  canDeploy?: boolean;
  /** Approving a waiting release needs the maintainer role. */
  canApprove?: boolean;
  /** The maintainer's edit / delete controls (applications/ApplicationControls.tsx). */
  children?: ReactNode;
}) {
  const { lang } = useI18n();
  const [image, setImage] = useState('');
  const [replicas, setReplicas] = useState(String(env.config.replicas));
  const id = `${app}-${env.name}`;
  const envPath = `/environments/${encodeURIComponent(env.name)}`;
  const waiting = env.latest?.status === 'awaiting_approval' ? env.latest : null;
  const running = env.running;
  const observed = env.healthSource === 'observed' ? env.observed : null;
  const observedAt = observed ? t('apps.observedAt', { time: formatTime(observed.at, lang) }) : undefined;
  return (
    <section className="environment-card" data-testid={`env-${id}`}>
      <header className="env-head">
        <h4 className="env-name">
          <span className="sr-only">{t('apps.environment')}: </span>
          {env.name}
        </h4>
        <span className="badge">{env.target}</span>
      </header>
      <p className="env-health" title={observedAt}>
        <span data-testid={`health-${id}`} className={`health-pill health-${env.health}`}>
          {healthText(env, t)}
        </span>
        {observed ? null : (
          <span className="muted env-note" data-testid={`not-observed-${id}`}>
            {' '}
            {t('apps.notObserved')}
          </span>
        )}
      </p>
      <dl className="env-facts">
        <dt>{t('apps.running')}</dt>
        <dd className="env-running" data-testid={`running-${id}`}>
          {running ? (
            <>
              <strong>#{running.number}</strong>{' '}
              <code title={running.digest ?? running.image ?? ''}>{shortImage(running)}</code>
            </>
          ) : (
            <span className="muted">{t('apps.notDeployed')}</span>
          )}
        </dd>
      </dl>
      <p className="env-replicas" data-testid={`replicas-${id}`} title={observedAt}>
        {observed
          ? t('apps.observedReplicas', {
              healthy: observed.healthy,
              desired: observed.desired,
              running: observed.running,
            })
          : t('apps.replicas', { n: env.replicas })}
      </p>
      {env.requiresApproval || env.autoRelease ? (
        <p className="env-badges">
          {env.requiresApproval ? (
            <span className="badge badge-warn">{t('apps.approvalRequired')}</span>
          ) : null}
          {env.autoRelease ? (
            <span className="badge">
              {t('apps.autoRelease', { branches: env.autoRelease.branches.join(', ') })}
            </span>
          ) : null}
        </p>
      ) : null}
      {canDeploy ? (
        <div className="env-actions">
          <form
            className="env-action-row"
            onReset={keepControlledFields}
            action={async () => {
              const value = image.trim();
              if (!value) return;
              await act(
                `${envPath}/deploy`,
                /^sha256:[0-9a-f]{64}$/.test(value) ? { imageDigest: value } : { image: value },
              );
              setImage('');
            }}
          >
            <input
              data-testid={`deploy-image-${id}`}
              className="grow"
              value={image}
              aria-label={t('apps.imagePlaceholder')}
              placeholder={t('apps.imagePlaceholder')}
              onChange={(e) => setImage(e.target.value)}
            />
            <SubmitButton className="primary" testId={`deploy-${id}`} disabled={!image.trim()}>
              {t('apps.deploy')}
            </SubmitButton>
          </form>
          {previous || (waiting && canApprove) ? (
            <div className="env-action-row">
              {previous ? (
                <button
                  type="button"
                  data-testid={`promote-${id}`}
                  onClick={() => void act(`${envPath}/promote`, { from: previous })}
                >
                  {t('apps.promote', { env: previous })}
                </button>
              ) : null}
              {waiting && canApprove ? (
                <button
                  type="button"
                  className="primary"
                  data-testid={`approve-${id}`}
                  onClick={() => void act(`${envPath}/releases/${waiting.number}/approve`, {})}
                >
                  {t('apps.approve', { n: waiting.number })}
                </button>
              ) : null}
            </div>
          ) : null}
          <form
            className="env-action-row"
            onReset={keepControlledFields}
            action={() => act(`${envPath}/scale`, { replicas: Number(replicas) })}
          >
            <input
              data-testid={`scale-input-${id}`}
              className="replicas-input"
              aria-label={t('apps.scale')}
              type="number"
              min={0}
              max={100}
              value={replicas}
              onChange={(e) => setReplicas(e.target.value)}
            />
            <SubmitButton testId={`scale-${id}`} disabled={!running}>
              {t('apps.scale')}
            </SubmitButton>
          </form>
        </div>
      ) : null}
      {children}
    </section>
  );
}
