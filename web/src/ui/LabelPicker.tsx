import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Conversation } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { useLabels } from '../state/labels';
import { Icon } from './icons';
import { useToasts } from './Toasts';

/**
 * LabelPicker puts labels on a conversation and takes them off: a menu of
 * every label with a check mark on those it carries. Each choice applies at
 * once; everyone else sees it through conversation.updated. Arrow keys,
 * Home and End move, Enter or Space toggles, Escape closes.
 */
export function LabelPicker({ conv, setLabel }: { conv: Conversation; setLabel: (convId: string, labelId: string, on: boolean) => Promise<unknown> }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState('');
  const all = useLabels(open);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const on = new Set((conv.labels ?? []).map((l) => l.id));

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const loaded = all !== null;
  useEffect(() => {
    if (open && loaded && !menu.current?.contains(document.activeElement)) menu.current?.querySelector<HTMLElement>('[role=menuitemcheckbox]')?.focus();
  }, [open, loaded]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const toggle = async (id: string, name: string) => {
    if (busy) return;
    setBusy(id);
    const add = !on.has(id);
    try {
      await setLabel(conv.id, id, add);
      if (add) toasts.show({ text: t('labels.added', { name }), tone: 'success' });
      else toasts.show({ text: t('labels.removed', { name }) });
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setBusy('');
    }
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const entries = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitemcheckbox]') ?? []);
    const i = entries.indexOf(document.activeElement as HTMLButtonElement);
    let next: HTMLButtonElement | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = entries[(i + 1) % entries.length];
        break;
      case 'ArrowUp':
        next = entries[(i - 1 + entries.length) % entries.length];
        break;
      case 'Home':
        next = entries[0];
        break;
      case 'End':
        next = entries[entries.length - 1];
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        close(true);
        return;
      case 'Tab':
        close(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  };

  return (
    <div className="menu-wrap label-picker" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="icon-btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={t('labels.button')}
        title={t('labels.button')}
        onClick={() => setOpen((o) => !o)}
        data-testid="label-picker-button"
      >
        <Icon name="tag" />
      </button>
      <div className="menu label-menu" role="menu" id={menuId} aria-label={t('labels.button')} hidden={!open} ref={menu} onKeyDown={onMenuKey} data-testid="label-menu">
        {open && all === null && <p className="hint menu-note">{t('common.loading')}</p>}
        {open && all?.length === 0 && <p className="hint menu-note">{t('labels.none')}</p>}
        {all?.map((l) => (
          <button
            key={l.id}
            type="button"
            role="menuitemcheckbox"
            aria-checked={on.has(l.id)}
            className="menu-item"
            aria-disabled={busy !== '' || undefined}
            onClick={() => void toggle(l.id, l.name)}
            data-testid="label-option"
          >
            <span className="label-check" aria-hidden="true">
              {busy === l.id ? '…' : on.has(l.id) ? '✓' : ''}
            </span>
            <span className="label-dot" style={{ backgroundColor: l.color }} aria-hidden="true" />
            <span className="label-menu-name">{l.name}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
