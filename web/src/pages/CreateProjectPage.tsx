import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { CreatedProject } from '../api/types.js';
import { useInvalidate } from '../api/use-invalidate.js';
import { useI18n } from '../app/i18n-context.js';
import { CopyField } from '../components/CopyField.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useFormAction } from '../components/form-action.js';
import { pushCommands } from '../components/push-commands.js';
import { RadioOption } from '../components/RadioOption.js';
import { SubmitButton } from '../components/SubmitButton.js';

type Forge = 'github' | 'gitea' | 'gitlab' | 'gitee';

/**
 * Create a project backed by the built-in git server (then: the `git remote add` and `git push`
 * lines) or by a remote repository (then: the webhook URL and secret — shown this once).
 */
export function CreateProjectPage() {
  const { t } = useI18n();
  const [source, setSource] = useState<'builtin' | 'remote'>('builtin');
  const [created, setCreated] = useState<CreatedProject | null>(null);
  const projectsChanged = useInvalidate(queryKeys.projects());
  // A refused request keeps what was typed (the fields' defaults come from `state.values`).
  const [state, action] = useFormAction(async (form) => {
    const name = String(form.get('name') ?? '').trim();
    const defaultBranch = String(form.get('defaultBranch') ?? '').trim() || 'main';
    const project = await api.createProject({
      name,
      defaultBranch,
      source:
        source === 'builtin'
          ? { kind: 'builtin' }
          : {
              kind: 'remote',
              url: String(form.get('remoteUrl') ?? '').trim(),
              forge: String(form.get('forge') ?? 'github') as Forge,
            },
    });
    setCreated(project);
    projectsChanged();
  });
  const typed = state.values;

  if (created) return <Created project={created} />;

  return (
    <section className="page narrow">
      <h1>{t('create.title')}</h1>
      <form className="card form" action={action}>
        <label>
          {t('create.name')}
          <input name="name" required maxLength={63} autoComplete="off" defaultValue={typed.name ?? ''} />
          <span className="hint">{t('create.nameHint')}</span>
        </label>
        <fieldset>
          <legend>{t('create.source')}</legend>
          <RadioOption name="source" value="builtin" current={source} onChoose={setSource}>
            {t('create.builtin')}
          </RadioOption>
          <RadioOption name="source" value="remote" current={source} onChoose={setSource}>
            {t('create.remote')}
          </RadioOption>
        </fieldset>
        {source === 'remote' ? (
          <>
            <label>
              {t('create.remoteUrl')}
              <input
                name="remoteUrl"
                type="url"
                required
                placeholder="https://github.com/org/repo.git"
                defaultValue={typed.remoteUrl ?? ''}
              />
            </label>
            <label>
              {t('create.forge')}
              {/* Keyed by what was sent: a select takes a new default only when it mounts. */}
              <select name="forge" key={typed.forge ?? 'github'} defaultValue={typed.forge ?? 'github'}>
                <option value="github">GitHub</option>
                <option value="gitea">Gitea</option>
                <option value="gitlab">GitLab</option>
                <option value="gitee">Gitee</option>
              </select>
            </label>
          </>
        ) : null}
        <label>
          {t('create.defaultBranch')}
          <input name="defaultBranch" defaultValue={typed.defaultBranch ?? 'main'} />
        </label>
        <ErrorNote error={state.error} />
        <SubmitButton className="primary">{t('create.submit')}</SubmitButton>
      </form>
    </section>
  );
}

function Created({ project }: { project: CreatedProject }) {
  const { t } = useI18n();
  const href = `/projects/${encodeURIComponent(project.name)}`;
  return (
    <section className="page narrow">
      <h1>{t('create.done', { name: project.name })}</h1>
      {project.source.kind === 'builtin' ? (
        <div className="card" data-testid="push-instructions">
          <p>{t('create.pushHint')}</p>
          <pre className="code">{pushCommands(project)}</pre>
        </div>
      ) : (
        <div className="card" data-testid="webhook-info">
          <p>{t('create.webhookHint')}</p>
          <CopyField label={t('settings.webhookUrl')} value={project.webhookUrl ?? ''} />
          <CopyField label={t('settings.webhookSecret')} value={project.webhookSecret} />
          <p className="warning">{t('create.secretOnce')}</p>
          {project.source.forge === 'gitee' ? <p className="hint">{t('create.giteeHint')}</p> : null}
        </div>
      )}
      <p>
        <Link href={href} className="button primary">
          {t('create.open')}
        </Link>
      </p>
    </section>
  );
}
