import type { ReactNode } from 'react';

/** One labelled radio button of a controlled choice (`current` is the chosen value). */
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
        checked={current === value}
        onChange={() => onChoose(value)}
      />
      {children}
    </label>
  );
}
