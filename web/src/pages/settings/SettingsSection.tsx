/** The frame every settings section shares, and the list-with-add-form shape most of them take. */
import type { ReactNode } from 'react';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { Run } from './settings-actions.js';

export function Section({
  title,
  children,
  testid,
}: {
  title: string;
  children: ReactNode;
  testid?: string;
}) {
  return (
    <section className="card settings-section" data-testid={testid}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A settings list: hint, load error, the items (or a note when there are none), what follows
 * the list (an add form for editors), then the error of the last action.
 */
export function ListSection({
  title,
  testid,
  hint,
  loadError,
  empty,
  form,
  error,
  children,
}: {
  title: string;
  testid: string;
  hint: string;
  loadError: unknown;
  empty: string | null;
  form: ReactNode;
  error: unknown;
  children: ReactNode;
}) {
  return (
    <Section title={title} testid={testid}>
      <p className="hint">{hint}</p>
      <ErrorNote error={loadError} />
      <ul className="plain-list">
        {children}
        {empty ? <li className="muted">{empty}</li> : null}
      </ul>
      {form}
      <ErrorNote error={error} />
    </Section>
  );
}

/** A list item's delete (or revoke) button: runs `remove`, then reloads the list. */
export function RemoveButton({
  label,
  busy,
  run,
  remove,
  reload,
}: {
  label: string;
  busy: boolean;
  run: Run;
  remove: () => Promise<unknown>;
  reload: () => void;
}) {
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() =>
        void run(async () => {
          await remove();
          reload();
        })
      }
    >
      {label}
    </button>
  );
}
