import { Component, type ErrorInfo, type ReactNode } from 'react';
import type { TFunction } from '../i18n/index.js';

/**
 * Browsers word a module that failed to load differently: Chromium "Failed to fetch dynamically
 * imported module", Firefox "error loading dynamically imported module", Safari "Importing a
 * module script failed". Vite's preload helper adds "Unable to preload CSS".
 */
const CHUNK_FAILED =
  /dynamically imported module|Importing a module script failed|Unable to preload CSS|Failed to load module script/i;

/** sessionStorage key of the last automatic reload, so a chunk that stays missing cannot loop. */
const RELOADED_AT = 'slipway.chunkReloadAt';
const RELOAD_AGAIN_AFTER_MS = 60_000;

function isChunkLoadFailure(error: unknown): boolean {
  return error instanceof Error && CHUNK_FAILED.test(`${error.name} ${error.message}`);
}

interface Props {
  t: TFunction;
  /** When it changes (the reader went to another page), a shown error is cleared. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * Without a boundary React unmounts the whole tree when a page throws while rendering, and the
 * reader is left with a blank tab. This one keeps the header and says what happened, in the
 * reader's language. The commonest case is a page part (a lazily loaded chunk) that a newer
 * build of Slipway no longer has: the tab reloads itself once to get the new version.
 * Going to another page (a new `resetKey`) clears the error; the page tree is not remounted.
 */
export class PageErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console keeps the component stack for whoever reports the problem.
    console.error('page failed to render', error, info.componentStack);
    if (isChunkLoadFailure(error)) reloadOnce();
  }

  override componentDidUpdate(previous: Props): void {
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    const { error } = this.state;
    const { t, children } = this.props;
    if (!error) return children;
    const updated = isChunkLoadFailure(error);
    return (
      <section className="page-error" role="alert" data-testid="page-error">
        <h2>{t('pageError.title')}</h2>
        <p>{updated ? t('pageError.updated') : t('pageError.detail', { message: error.message })}</p>
        <p className="page-error-actions">
          <button type="button" className="button primary" onClick={() => window.location.reload()}>
            {t('pageError.reload')}
          </button>{' '}
          <a href="/" className="button">
            {t('pageError.home')}
          </a>
        </p>
      </section>
    );
  }
}

/** Reloads the tab unless it already did so for a missing chunk within the last minute. */
function reloadOnce(): void {
  try {
    const last = Number(window.sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < RELOAD_AGAIN_AFTER_MS) return;
    window.sessionStorage.setItem(RELOADED_AT, String(Date.now()));
  } catch {
    // Storage refused (private mode, quota): reloading without the guard could loop; do not.
    return;
  }
  window.location.reload();
}
