import { type FormEvent, useActionState } from 'react';

/**
 * The state of a form whose `action` runs one request (React 19 form actions): the server's
 * refusal, and what was typed when it came, so the fields can show it again. React resets a
 * form's uncontrolled fields once its action has run — even a refused one — to their current
 * `defaultValue`; fields therefore take `defaultValue={state.values.name}` and keep the user's
 * input on error. After a success `values` is empty again (the fields clear, as before).
 */
export interface FormActionState {
  error: unknown;
  values: Readonly<Record<string, string>>;
  /** Counts successful submissions, for forms that say "saved" after one. */
  done: number;
}

export const IDLE: FormActionState = { error: null, values: {}, done: 0 };

/** The text fields of a submission (files and the like are not typed text). */
export function textValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string') values[key] = value;
  return values;
}

/**
 * `useActionState` around `run(form)`: pending while it runs, the error and the typed values
 * when it throws. `keepValues` keeps what was typed after a success too (settings forms that
 * show the saved values).
 */
export function useFormAction(
  run: (form: FormData) => Promise<void>,
  opts: { keepValues?: boolean } = {},
): [FormActionState, (form: FormData) => void, boolean] {
  return useActionState<FormActionState, FormData>(async (previous, form) => {
    try {
      await run(form);
      return { error: null, values: opts.keepValues ? textValues(form) : {}, done: previous.done + 1 };
    } catch (error) {
      return { error, values: textValues(form), done: previous.done };
    }
  }, IDLE);
}

/**
 * `onReset` of a form whose fields are controlled (state is the truth): React resets a form after
 * its action has run, which puts controlled selects, radios and checkboxes back to their first
 * render in the page while the state keeps the user's choice (react#30580, #31695). Cancelling
 * that reset keeps the page and the state in step; the form's state decides what to clear.
 */
export function keepControlledFields(event: FormEvent<HTMLFormElement>): void {
  event.preventDefault();
}

/**
 * `onReset` of a form with many fields (checkboxes, selects): React's reset after the action
 * clears the form after a success, as the form did before; after a refusal it is cancelled, so
 * everything typed and ticked stays for the user to correct. React resets after committing the
 * action's result, so the handler of that render sees the refusal in `state`.
 */
export function resetOnlyAfterSuccess(state: FormActionState): (event: FormEvent<HTMLFormElement>) => void {
  return (event) => {
    if (state.error) event.preventDefault();
  };
}
