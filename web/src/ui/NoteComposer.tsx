import { activityEvery } from '../state/composerActivity';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Conversation, UserRef } from '../api/types';
import { api } from '../api/endpoints';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { insertMention, mentionQuery, mentionedIds, type Picked } from '../lib/mentions';
import { useInboxContext } from '../state/store';
import { Icon } from './icons';
import { useToasts } from './Toasts';

const maxText = 4096;

/**
 * NoteComposer writes a private note: never sent to WhatsApp. Typing @
 * offers the people who may see the conversation's channel (↑/↓ to choose,
 * Enter or Tab to pick, Esc to close the list); a picked person is
 * notified and may read the conversation until they mark the mention done.
 */
export function NoteComposer({ conv, hint, focusKey = 0 }: { conv: Conversation; hint?: string; focusKey?: number }) {
  const { t } = useI18n();
  const { actions } = useInboxContext();
  const toasts = useToasts();
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<Picked[]>([]);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState<{ start: number; q: string } | null>(null);
  const [options, setOptions] = useState<UserRef[]>([]);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);

  // Asked for the focus ("n", or the Private note button).
  useEffect(() => {
    if (focusKey > 0) input.current?.focus();
  }, [focusKey]);

  // The suggestions follow what is typed after the @.
  useEffect(() => {
    if (!query) {
      setOptions([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api
        .mentionable(conv.id, query.q, ctrl.signal)
        .then((r) => {
          setOptions(r.items ?? []);
          setActive(0);
        })
        .catch(() => {});
    }, 120);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [conv.id, query]);

  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.setProperty('height', 'auto');
    el.style.setProperty('height', `${Math.min(el.scrollHeight, 160)}px`);
  }, [text]);

  const lastActivity = useRef(0);
  const track = (v: string, caret: number) => {
    const now = Date.now();
    if (v.trim() && now - lastActivity.current >= activityEvery) {
      lastActivity.current = now;
      api.composerActivity(conv.id, 'note').catch(() => {});
    }
    setText(v);
    setQuery(mentionQuery(v, caret));
  };

  const pick = (u: UserRef) => {
    if (!query) return;
    const el = input.current;
    const caret = el?.selectionStart ?? text.length;
    const next = insertMention(text, caret, query.start, u.name);
    setText(next.text);
    setPicked((p) => (p.some((x) => x.id === u.id) ? p : [...p, { id: u.id, name: u.name }]));
    setQuery(null);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    actions
      .addNote(conv.id, body, mentionedIds(body, picked))
      .then(() => {
        setText('');
        setPicked([]);
        setQuery(null);
      })
      .catch((err: unknown) => toasts.show({ text: errorText(t, err), tone: 'error' }))
      .finally(() => setBusy(false));
  };

  const listOpen = !!query && options.length > 0;
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (listOpen) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = options.length;
        setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : (i - 1 + n) % n));
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && !e.nativeEvent.isComposing) {
        e.preventDefault();
        const u = options[active];
        if (u) pick(u);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQuery(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      const row = document.getElementById(`row-${conv.id}`);
      if (row) row.focus();
      else (e.target as HTMLTextAreaElement).blur();
    }
  };

  return (
    <form className="composer composer-notes" onSubmit={send} data-testid="note-composer">
      {hint && <p className="hint note-hint">{hint}</p>}
      {query && (
        <ul className="mention-list" role="listbox" id="mention-list" aria-label={t('notes.mentionList')} data-testid="mention-list">
          {options.length === 0 && <li className="hint">{t('notes.noMatch')}</li>}
          {options.map((u, i) => (
            <li
              key={u.id}
              id={`mention-${u.id}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'mention-option mention-option-active' : 'mention-option'}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              @{u.name}
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <label htmlFor="note-input" className="visually-hidden">
          {t('notes.inputLabel')}
        </label>
        <textarea
          id="note-input"
          ref={input}
          className="composer-input note-input"
          rows={1}
          maxLength={maxText}
          placeholder={t('notes.placeholder')}
          value={text}
          onChange={(e) => track(e.target.value, e.target.selectionStart ?? e.target.value.length)}
          onKeyDown={onKeyDown}
          onClick={(e) => setQuery(mentionQuery(text, e.currentTarget.selectionStart ?? text.length))}
          role="combobox"
          aria-expanded={listOpen}
          aria-controls="mention-list"
          aria-autocomplete="list"
          aria-activedescendant={listOpen && options[active] ? `mention-${options[active].id}` : undefined}
        />
        <button type="submit" className="btn btn-note send-btn" disabled={!text.trim() || busy} aria-label={t('notes.send')} title={t('notes.send')}>
          <Icon name="send" size={20} />
        </button>
      </div>
    </form>
  );
}
