import { type KeyboardEvent, useEffect, useId, useState } from 'react';
import { api } from '../api/client.js';
import type { RefInfo } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';

export interface PickedRef {
  kind: 'branch' | 'tag';
  name: string;
}

interface Option extends PickedRef {
  sha: string;
}

/**
 * A searchable branch-or-tag picker (ARIA combobox). Typing filters on the server (`?q=`), so a
 * repository with thousands of refs still answers with a short list; arrows move, Enter picks,
 * Escape closes.
 */
export function RefPicker({
  project,
  value,
  onChange,
  t,
}: {
  project: string;
  value: PickedRef | null;
  onChange: (ref: PickedRef | null) => void;
  t: TFunction;
}) {
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Option[]>([]);
  const [active, setActive] = useState(0);
  const listId = useId();

  useEffect(() => {
    if (!open) return;
    let stale = false;
    const timer = setTimeout(() => {
      const q = value && text === value.name ? '' : text;
      api.refs(project, q).then(
        (refs) => {
          if (stale) return;
          const withKind = (list: RefInfo[], kind: 'branch' | 'tag') => list.map((r) => ({ ...r, kind }));
          setOptions([...withKind(refs.branches, 'branch'), ...withKind(refs.tags, 'tag')]);
          setActive(0);
        },
        () => {
          if (!stale) setOptions([]);
        },
      );
    }, 120);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [open, text, project, value]);

  function pick(option: Option) {
    onChange({ kind: option.kind, name: option.name });
    setText(option.name);
    setOpen(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, Math.max(options.length - 1, 0)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter' && open && options[active]) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  }

  const activeId = open && options[active] ? `${listId}-${active}` : undefined;
  return (
    <div className="combobox">
      <input
        data-testid="ref-picker"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        aria-label={t('ref.placeholder')}
        placeholder={t('ref.placeholder')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value && e.target.value !== value.name) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {open ? (
        <div id={listId} role="listbox" className="combobox-list">
          {options.length === 0 ? <div className="combobox-empty">{t('ref.none')}</div> : null}
          {options.map((o, i) => (
            <div
              key={`${o.kind}:${o.name}`}
              tabIndex={-1}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              data-testid="ref-option"
              data-ref={o.name}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(o);
              }}
            >
              <span className="ref-kind">{t(o.kind === 'branch' ? 'ref.branch' : 'ref.tag')}</span>
              <span className="ref-name">{o.name}</span>
              <code className="ref-sha">{o.sha.slice(0, 7)}</code>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
