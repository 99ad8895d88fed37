import type { ReactNode } from 'react';

/**
 * One labelled radio button of a choice (`current` is the chosen value). The browser holds the
 * checked state and `current` is its default: a form action's reset (React 19 resets a form
 * after its action ran) then comes back to the current choice instead of the first render's.
 */
export function RadioOption<T extends string>({
  name,
  value,
  current,
  onChoose,
  children,
}: {
  name: string;
  value: T;
  current: T;
  onChoose: (value: T) => void;
  children: ReactNode;
}) {
  return (
    <label className="inline">
      <input
        type="radio"
        name={name}
        value={value}
        defaultChecked={current === value}
        onChange={() => onChoose(value)}
      />
      {children}
    </label>
  );
}
