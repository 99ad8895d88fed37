/** How settings forms run their API calls: one busy flag and one error per section. */
import { useState } from 'react';
import { type FormActionState, useFormAction } from '../../components/form-action.js';

/** Runs an async action, remembering its error for display. */
export function useAction(): [unknown, boolean, (fn: () => Promise<void>) => Promise<void>] {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return [
    error,
    busy,
    async (fn) => {
      setBusy(true);
      setError(null);
      try {
        await fn();
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
  ];
}

export type Run = (fn: () => Promise<void>) => Promise<void>;

/** A form's trimmed text field. */
export function field(form: FormData, name: string): string {
  return String(form.get(name) ?? '').trim();
}

/**
 * The React 19 form action of a settings form: runs `action` with the form's fields, then reloads
 * the section. Pending, the refusal and the typed values live in the returned state (see
 * components/form-action.ts); the form clears after a success, as before.
 */
export function useFormThenReload(
  reload: () => void,
  action: (form: FormData) => Promise<unknown>,
): [FormActionState, (form: FormData) => void] {
  const [state, formAction] = useFormAction(async (form) => {
    await action(form);
    reload();
  });
  return [state, formAction];
}
