/**
 * The fields of one environment (target, image repository, ports, replicas, health check,
 * variables, secrets, approval, production, auto release, resources), controlled by a draft of
 * typed texts. A server error about one part is shown inside that part's fieldset.
 */
import type { ReactNode } from 'react';
import { SubmitButton } from '../../components/SubmitButton.js';
import type { TFunction } from '../../i18n/index.js';
import type { EnvironmentDraft, Row } from './environment-draft.js';

export interface FieldError {
  field: string | null;
  message: string;
}

interface Props {
  draft: EnvironmentDraft;
  set: (change: Partial<EnvironmentDraft>) => void;
  error: FieldError | null;
  t: TFunction;
}

export function EnvironmentFields({ draft, set, error, t }: Props) {
  const errorFor = (...fields: string[]): ReactNode =>
    error?.field && fields.includes(error.field) ? (
      <p className="field-error" role="alert" data-testid="field-error">
        {t('appForm.fieldError', { message: error.message })}
      </p>
    ) : null;
  return (
    <>
      <fieldset className="form-group" data-field="target">
        <legend>{t('appForm.deploySection')}</legend>
        <label>
          {t('appForm.target')}
          <select
            name="target"
            value={draft.target}
            onChange={(e) => set({ target: e.target.value === 'swarm' ? 'swarm' : 'docker' })}
          >
            <option value="docker">{t('appForm.target.docker')}</option>
            <option value="swarm">{t('appForm.target.swarm')}</option>
          </select>
        </label>
        <label>
          {t('appForm.repository')}
          <input
            name="repository"
            value={draft.repository}
            placeholder={t('appForm.repositoryHint')}
            onChange={(e) => set({ repository: e.target.value })}
          />
        </label>
        <label>
          {t('appForm.replicas')}
          <input
            name="replicas"
            inputMode="numeric"
            value={draft.replicas}
            onChange={(e) => set({ replicas: e.target.value })}
          />
        </label>
        {errorFor('target', 'config.repository', 'config.replicas')}
      </fieldset>

      <fieldset className="form-group" data-field="ports">
        <legend>{t('appForm.ports')}</legend>
        {draft.ports.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="form-row" key={i} data-testid="port-row">
            <label>
              {t('appForm.published')}
              <input
                name={`port-published-${i}`}
                inputMode="numeric"
                value={p.published}
                onChange={(e) =>
                  set({ ports: replaceAt(draft.ports, i, { ...p, published: e.target.value }) })
                }
              />
            </label>
            <span aria-hidden="true">→</span>
            <label>
              {t('appForm.portTarget')}
              <input
                name={`port-target-${i}`}
                inputMode="numeric"
                value={p.target}
                onChange={(e) => set({ ports: replaceAt(draft.ports, i, { ...p, target: e.target.value }) })}
              />
            </label>
            <button type="button" onClick={() => set({ ports: removeAt(draft.ports, i) })}>
              {t('appForm.remove')}
            </button>
          </div>
        ))}
        <button
          type="button"
          data-testid="add-port"
          onClick={() => set({ ports: [...draft.ports, { published: '', target: '' }] })}
        >
          {t('appForm.addPort')}
        </button>
        {errorFor('config.ports')}
      </fieldset>

      <fieldset className="form-group" data-field="healthcheck">
        <legend>{t('appForm.health')}</legend>
        <div className="form-choices">
          {(['none', 'http', 'command'] as const).map((mode) => (
            <label key={mode} className="check">
              <input
                type="radio"
                name="health"
                value={mode}
                checked={draft.health === mode}
                onChange={() => set({ health: mode })}
              />
              {t(`appForm.health.${mode}`)}
            </label>
          ))}
        </div>
        {draft.health === 'http' ? (
          <div className="form-row">
            <label>
              {t('appForm.healthPath')}
              <input
                name="health-path"
                value={draft.healthPath}
                onChange={(e) => set({ healthPath: e.target.value })}
              />
            </label>
            <label>
              {t('appForm.healthPort')}
              <input
                name="health-port"
                inputMode="numeric"
                value={draft.healthPort}
                onChange={(e) => set({ healthPort: e.target.value })}
              />
            </label>
          </div>
        ) : null}
        {draft.health === 'command' ? (
          <label>
            {t('appForm.healthCommand')}
            <input
              name="health-command"
              value={draft.healthCommand}
              onChange={(e) => set({ healthCommand: e.target.value })}
            />
          </label>
        ) : null}
        {draft.health !== 'none' ? (
          <div className="form-row">
            <label>
              {t('appForm.interval')}
              <input
                name="health-interval"
                value={draft.intervalS}
                onChange={(e) => set({ intervalS: e.target.value })}
              />
            </label>
            <label>
              {t('appForm.timeout')}
              <input
                name="health-timeout"
                value={draft.timeoutS}
                onChange={(e) => set({ timeoutS: e.target.value })}
              />
            </label>
            <label>
              {t('appForm.retries')}
              <input
                name="health-retries"
                value={draft.retries}
                onChange={(e) => set({ retries: e.target.value })}
              />
            </label>
          </div>
        ) : null}
        {errorFor('config.healthcheck')}
      </fieldset>

      <KeyValueRows
        legend={t('appForm.variables')}
        field="variables"
        rows={draft.variables}
        onChange={(variables) => set({ variables })}
        addLabel={t('appForm.addVariable')}
        t={t}
        error={errorFor('config.variables')}
      />
      <KeyValueRows
        legend={t('appForm.secrets')}
        field="secrets"
        hint={t('appForm.secretsHint')}
        rows={draft.secrets}
        onChange={(secrets) => set({ secrets })}
        addLabel={t('appForm.addSecret')}
        valueLabel={t('appForm.secretValue')}
        secret
        t={t}
        error={errorFor('config.secrets')}
      />

      <fieldset className="form-group" data-field="release">
        <legend>{t('appForm.release')}</legend>
        <label className="check">
          <input
            type="checkbox"
            name="requiresApproval"
            checked={draft.requiresApproval}
            onChange={(e) => set({ requiresApproval: e.target.checked })}
          />
          {t('appForm.requiresApproval')}
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="production"
            checked={draft.production}
            onChange={(e) => set({ production: e.target.checked })}
          />
          {t('appForm.production')}
        </label>
        <label>
          {t('appForm.autoRelease')}
          <input
            name="autoRelease"
            value={draft.autoRelease}
            placeholder={t('appForm.autoReleaseHint')}
            onChange={(e) => set({ autoRelease: e.target.value })}
          />
        </label>
        {errorFor('autoRelease', 'requiresApproval', 'production')}
      </fieldset>

      <fieldset className="form-group" data-field="resources">
        <legend>{t('appForm.resources')}</legend>
        <div className="form-row">
          <label>
            {t('appForm.cpus')}
            <input
              name="cpus"
              inputMode="decimal"
              value={draft.cpus}
              placeholder={t('appForm.unlimited')}
              onChange={(e) => set({ cpus: e.target.value })}
            />
          </label>
          <label>
            {t('appForm.memoryMb')}
            <input
              name="memoryMb"
              inputMode="numeric"
              value={draft.memoryMb}
              placeholder={t('appForm.unlimited')}
              onChange={(e) => set({ memoryMb: e.target.value })}
            />
          </label>
        </div>
        {errorFor('config.resources')}
      </fieldset>
    </>
  );
}

function KeyValueRows(props: {
  legend: string;
  field: string;
  hint?: string;
  rows: Row[];
  onChange: (rows: Row[]) => void;
  addLabel: string;
  valueLabel?: string;
  secret?: boolean;
  t: TFunction;
  error: ReactNode;
}) {
  const { rows, onChange, t } = props;
  return (
    <fieldset className="form-group" data-field={props.field}>
      <legend>{props.legend}</legend>
      {props.hint ? <p className="muted form-hint">{props.hint}</p> : null}
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="form-row" key={i} data-testid={`${props.field}-row`}>
          <label>
            {t('appForm.key')}
            <input
              name={`${props.field}-key-${i}`}
              value={row.key}
              onChange={(e) => onChange(replaceAt(rows, i, { ...row, key: e.target.value }))}
            />
          </label>
          <label className="grow">
            {props.valueLabel ?? t('appForm.value')}
            <input
              name={`${props.field}-value-${i}`}
              type={props.secret ? 'password' : 'text'}
              autoComplete={props.secret ? 'new-password' : 'off'}
              value={row.value}
              onChange={(e) => onChange(replaceAt(rows, i, { ...row, value: e.target.value }))}
            />
          </label>
          <button type="button" onClick={() => onChange(removeAt(rows, i))}>
            {t('appForm.remove')}
          </button>
        </div>
      ))}
      <button
        type="button"
        data-testid={`add-${props.field}`}
        onClick={() => onChange([...rows, { key: '', value: '' }])}
      >
        {props.addLabel}
      </button>
      {props.error}
    </fieldset>
  );
}

function replaceAt<T>(list: T[], i: number, item: T): T[] {
  return list.map((x, j) => (j === i ? item : x));
}

function removeAt<T>(list: T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

/**
 * Save and Cancel under both application forms; Save says "saving…" and is disabled while the
 * form's action runs (useFormStatus: it must sit inside the form).
 */
export function FormActions({
  label,
  testId,
  onCancel,
  t,
}: {
  label: string;
  testId: string;
  onCancel: () => void;
  t: TFunction;
}) {
  return (
    <div className="form-actions">
      <SubmitButton className="primary" testId={testId} pendingLabel={t('appForm.saving')}>
        {label}
      </SubmitButton>
      <button type="button" onClick={onCancel}>
        {t('appForm.cancel')}
      </button>
    </div>
  );
}
