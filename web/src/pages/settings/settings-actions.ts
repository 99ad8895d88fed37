/** How settings forms run their API calls: one busy flag and one error per section. */
import { type FormEvent, useState } from 'react';

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

/** A submit handler that runs `action` with the form's fields, then clears the form and reloads. */
export function submitThenReload(run: Run, reload: () => void, action: (form: FormData) => Promise<unknown>) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    void run(async () => {
      await action(form);
      formEl.reset();
      reload();
    });
  };
}
