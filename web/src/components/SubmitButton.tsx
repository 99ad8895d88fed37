import type { ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

/**
 * The submit button of a form with a React 19 `action`: disabled while the action runs (so a
 * double click sends one request), optionally saying so with `pendingLabel`. It must sit inside
 * the form: useFormStatus reads the enclosing form's status.
 */
export function SubmitButton({
  children,
  pendingLabel,
  className,
  testId,
  disabled = false,
}: {
  children: ReactNode;
  pendingLabel?: ReactNode;
  className?: string;
  testId?: string;
  disabled?: boolean;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      className={className}
      data-testid={testId}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    >
      {pending && pendingLabel !== undefined ? pendingLabel : children}
    </button>
  );
}
