import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { CreatedProject } from '../api/types.js';
import { useInvalidate } from '../api/use-invalidate.js';
import { useI18n } from '../app/i18n-context.js';
import { CopyField } from '../components/CopyField.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { pushCommands } from '../components/push-commands.js';
import { RadioOption } from '../components/RadioOption.js';

type Forge = 'github' | 'gitea' | 'gitlab' | 'gitee';

/**
 * Create a project backed by the built-in git server (then: the `git remote add` and `git push`
 * lines) or by a remote repository (then: the webhook URL and secret — shown this once).
 */
export function CreateProjectPage() {
  const { t } = useI18n();
  const [source, setSource] = useState<'builtin' | 'remote'>('builtin');
  const [created, setCreated] = useState<CreatedProject | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const projectsChanged = useInvalidate(queryKeys.projects());

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const defaultBranch = String(form.get('defaultBranch') ?? '').trim() || 'main';
    setBusy(true);
    setError(null);
    try {
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
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (created) return <Created project={created} />;

  return (
    <section className="page narrow">
      <h1>{t('create.title')}</h1>
      <form className="card form" onSubmit={submit}>
        <label>
          {t('create.name')}
          <input name="name" required maxLength={63} autoComplete="off" />
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
              <input name="remoteUrl" type="url" required placeholder="https://github.com/org/repo.git" />
            </label>
            <label>
              {t('create.forge')}
              <select name="forge" defaultValue="github">
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
          <input name="defaultBranch" defaultValue="main" />
        </label>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('create.submit')}
        </button>
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
