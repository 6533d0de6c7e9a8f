import { useEffect, useLayoutEffect, useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent } from 'react';
import type { Conversation, Message } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { bytes } from '../lib/format';
import { draftSaver, drafts } from '../lib/drafts';
import { insertCanned, menuKey, preview, rankCanned, slashQuery } from '../lib/canned';
import { useCannedReplies } from '../state/canned';
import { activityEvery } from '../state/composerActivity';
import { acceptAttribute, checkFile, type AttachmentKind, type MediaLimit } from '../lib/files';
import { mediaLimits } from '../state/mediaLimits';
import { useInbox, useInboxContext } from '../state/store';
import { errorText } from '../lib/errors';
import { useToasts } from './Toasts';
import { Icon } from './icons';
import { quoteText } from './MessageBubble';
import { takeComposerWish } from './focus';
import { InteractiveBuilder } from './InteractiveBuilder';
import { TemplatePicker } from './TemplatePicker';
import { api } from '../api/endpoints';

/** typingEvery is how often at most typing is reported; the server sends WhatsApp's indicator at most every 25 s. */
const typingEvery = 5_000;

/** serverDrafts saves the composer's text on the server, debounced, per conversation. */
const serverDrafts = draftSaver((convId, text, leaving) => api.saveDraft(convId, text, leaving));
if (typeof window !== 'undefined') window.addEventListener('pagehide', () => serverDrafts.flushAll(true));

interface Props {
  conv: Conversation;
  windowOpen: boolean;
  replyTo: Message | null;
  onCancelReply: () => void;
  dropped: File | null;
  onDroppedTaken: () => void;
  onSent: () => void;
}

interface Attachment {
  file: File;
  kind: AttachmentKind;
}

const maxText = 4096;

export function Composer({ conv, windowOpen, replyTo, onCancelReply, dropped, onDroppedTaken, onSent }: Props) {
  const { t, locale } = useI18n();
  const { actions, can, me } = useInboxContext();
  const [text, setTextState] = useState(() => drafts.get(me.user.id, conv.id));
  const touched = useRef(false);
  const setText = (v: string) => {
    touched.current = true;
    setTextState(v);
    drafts.set(me.user.id, conv.id, v);
    serverDrafts.schedule(conv.id, v);
  };
  // The draft kept on the server (another tab, or before the session
  // expired) comes back when this tab has nothing typed for the chat.
  useEffect(() => {
    const ctrl = new AbortController();
    if (!drafts.get(me.user.id, conv.id)) {
      api
        .draft(conv.id, ctrl.signal)
        .then((d) => {
          if (d.text && !touched.current && !drafts.get(me.user.id, conv.id)) {
            setTextState(d.text);
            drafts.set(me.user.id, conv.id, d.text);
          }
        })
        .catch(() => {});
    } else {
      // Typed in this tab before a save could land (the session had
      // expired, say): the server gets it now.
      serverDrafts.schedule(conv.id, drafts.get(me.user.id, conv.id));
    }
    return () => {
      ctrl.abort();
      serverDrafts.flush(conv.id);
    };
  }, [conv.id, me.user.id]);
  // The `/` menu of canned replies.
  const [slash, setSlash] = useState<{ start: number; q: string } | null>(null);
  const [closedAt, setClosedAt] = useState(-1);
  const [active, setActive] = useState(0);
  const canned = useCannedReplies(slash !== null);
  const menuOpen = slash !== null && slash.start !== closedAt && canned !== null;
  const matches = menuOpen ? rankCanned(canned, slash.q).slice(0, 8) : [];
  const track = (v: string, caret: number) => {
    const q = slashQuery(v, caret);
    setSlash(q);
    if (!q || q.start !== slash?.start) setClosedAt(-1);
    if (q?.q !== slash?.q) setActive(0);
  };
  const pickCanned = (i: number) => {
    const r = matches[i];
    if (!r || !slash) return;
    const el = input.current;
    const caret = el?.selectionStart ?? text.length;
    const at = slash;
    setSlash(null);
    api
      .renderCannedReply(conv.id, r.id)
      .then(({ text: body }) => {
        const cur = input.current?.value ?? text;
        const next = insertCanned(cur, Math.min(caret, cur.length), at.start, body);
        setText(next.text);
        requestAnimationFrame(() => {
          input.current?.focus();
          input.current?.setSelectionRange(next.caret, next.caret);
        });
      })
      .catch((err: unknown) => toasts.show({ text: errorText(t, err), tone: 'error' }));
  };
  const [file, setFile] = useState<Attachment | null>(null);
  const [fileError, setFileError] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [building, setBuilding] = useState(false);
  const lastTyping = useRef(0);
  // Typing tells the customer a reply is coming: at most every few seconds
  // from here, and the server decides whether WhatsApp is told at all.
  const typed = () => {
    const now = Date.now();
    if (now - lastTyping.current < typingEvery) return;
    lastTyping.current = now;
    api.typing(conv.id).catch(() => {});
  };
  const lastActivity = useRef(0);
  // Colleagues who see this chat are told that someone is writing.
  const announce = () => {
    const now = Date.now();
    if (now - lastActivity.current < activityEvery) return;
    lastActivity.current = now;
    api.composerActivity(conv.id, 'reply').catch(() => {});
  };
  const toasts = useToasts();
  const suggestions = useInbox((s) => s.suggestions[conv.id]);
  // The suggestion being edited in the composer: sending sends it edited.
  const [editingId, setEditingId] = useState('');
  const editing = suggestions?.find((x) => x.id === editingId);
  const suggestion = suggestions?.find((x) => x.id !== editingId);
  const waiting = (suggestions ?? []).filter((x) => x.id !== editingId).length;
  const [suggestBusy, setSuggestBusy] = useState(false);
  const sendSuggestion = useRef<() => void>(() => {});
  useLayoutEffect(() => {
    sendSuggestion.current = () => {
      if (!suggestion || suggestBusy || !windowOpen || !can('conversations.reply')) return;
      setSuggestBusy(true);
      actions
        .sendSuggestion(conv.id, suggestion.id)
        .then(onSent)
        .catch((err: unknown) => toasts.show({ text: errorText(t, err), tone: 'error' }))
        .finally(() => setSuggestBusy(false));
    };
  });
  // Alt+Enter sends the newest suggestion from anywhere in the conversation.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Enter' && e.altKey && !e.defaultPrevented && !e.isComposing) {
        e.preventDefault();
        sendSuggestion.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const [limits, setLimits] = useState<MediaLimit[] | null>(null);
  useEffect(() => {
    let live = true;
    void mediaLimits().then((l) => {
      if (live && l) setLimits(l);
    });
    return () => {
      live = false;
    };
  }, []);

  const take = async (picked: File) => {
    const table = limits ?? (await mediaLimits());
    let f = picked;
    if (!table) {
      // The table could not be loaded: the server checks on upload.
      setFileError('');
      setFile({ file: f, kind: 'document' });
      return;
    }
    const check = checkFile(f.name, f.type, f.size, table);
    if (!check.ok) {
      setFileError(
        check.reason === 'type'
          ? t('composer.fileType', { name: f.name })
          : check.reason === 'empty'
            ? t('composer.fileEmpty', { name: f.name })
            : t('composer.fileTooLarge', { name: f.name, kind: t(`kind.${check.kind}` as Key), max: bytes(check.maxBytes, locale) }),
      );
      return;
    }
    // No type from the browser: send the one guessed from the name, which
    // is what was checked.
    if (!f.type) f = new File([f], f.name, { type: check.mime, lastModified: f.lastModified });
    setFileError('');
    setFile({ file: f, kind: check.kind });
    input.current?.focus();
  };

  useEffect(() => {
    if (dropped) {
      void take(dropped);
      onDroppedTaken();
    }
    // take is recreated per render; the dropped file is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dropped]);

  // Opened from the keyboard (Enter on a row): the reply goes here at once.
  useLayoutEffect(() => {
    if (takeComposerWish(conv.id)) input.current?.focus();
  }, [conv.id]);

  // Grow with the text up to a limit; the height is set through the CSSOM.
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.setProperty('height', 'auto');
    el.style.setProperty('height', `${Math.min(el.scrollHeight, 160)}px`);
  }, [text]);

  if (!can('conversations.reply')) {
    return <div className="composer composer-note">{t('composer.noReply')}</div>;
  }

  if (conv.contact?.blocked) {
    return (
      <div className="composer composer-note" data-testid="composer-blocked">
        {t('block.composer')}
      </div>
    );
  }

  if (!windowOpen) {
    return (
      <div className="composer composer-closed" data-testid="window-closed">
        <div className="closed-explain">
          <strong>{t('composer.closedTitle')}</strong>
          <p>{conv.window_closes_at ? t('composer.closedBody') : t('composer.neverWrote')}</p>
        </div>
        <TemplatePicker conv={conv} />
      </div>
    );
  }

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const body = text.trim();
    if (file) {
      // The pending bubble shows the upload's progress; a failed upload offers retry there.
      actions.sendFile(conv.id, { file: file.file, kind: file.kind, caption: body, replyTo: replyTo?.id });
      setFile(null);
      setText('');
      onSent();
      return;
    }
    if (!body) return;
    if (editing && !replyTo) {
      setEditingId('');
      actions.sendSuggestion(conv.id, editing.id, body).catch((err: unknown) => {
        setText(body);
        toasts.show({ text: errorText(t, err), tone: 'error' });
      });
      setText('');
      onSent();
      return;
    }
    actions.sendText(conv.id, body, replyTo?.id);
    setText('');
    serverDrafts.cancel(conv.id);
    onSent();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (menuOpen && !e.nativeEvent.isComposing && !e.altKey && !e.shiftKey) {
      const act = menuKey(e.key, active, matches.length);
      if (act.kind === 'move') {
        e.preventDefault();
        setActive(act.active);
        return;
      }
      if (act.kind === 'pick') {
        e.preventDefault();
        pickCanned(act.index);
        return;
      }
      if (act.kind === 'close') {
        e.preventDefault();
        setClosedAt(slash?.start ?? -1);
        return;
      }
    }
    if (e.key === 'Enter' && e.altKey) {
      e.preventDefault();
      sendSuggestion.current();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape') {
      if (replyTo) {
        e.preventDefault();
        onCancelReply();
      } else {
        // Back to the list, on this conversation's row.
        e.preventDefault();
        const row = document.getElementById(`row-${conv.id}`);
        if (row) row.focus();
        else (e.target as HTMLTextAreaElement).blur();
      }
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const f = e.clipboardData.files[0];
    if (f) {
      e.preventDefault();
      void take(f);
    }
  };

  const editSuggestion = () => {
    if (!suggestion) return;
    setText(suggestion.text);
    setEditingId(suggestion.id);
    requestAnimationFrame(() => input.current?.focus());
  };
  const discardSuggestion = () => {
    if (!suggestion) return;
    actions.discardSuggestion(conv.id, suggestion.id).catch((err: unknown) => toasts.show({ text: errorText(t, err), tone: 'error' }));
  };

  return (
    <>
      <form className="composer" onSubmit={send}>
        {suggestion && (
          <div className="suggestion-card" role="region" aria-label={t('suggest.title')} data-testid="suggestion">
            <div className="suggestion-head">
              <span className="badge badge-bot">{t('handoff.bot')}</span> <strong>{t('suggest.title')}</strong>
              {waiting > 1 && <span className="hint"> {t('suggest.more', { n: waiting - 1 })}</span>}
            </div>
            <p className="suggestion-text">{suggestion.text}</p>
            {suggestion.rationale && <p className="suggestion-why hint">{t('suggest.why', { rationale: suggestion.rationale })}</p>}
            <div className="suggestion-actions">
              <button
                type="button"
                className="btn btn-small btn-primary"
                onClick={() => sendSuggestion.current()}
                disabled={suggestBusy}
                aria-keyshortcuts="Alt+Enter"
                title={`${t('suggest.send')} (Alt+Enter)`}
                data-testid="suggestion-send"
              >
                {t('suggest.send')}
              </button>
              <button type="button" className="btn btn-small" onClick={editSuggestion} disabled={suggestBusy} data-testid="suggestion-edit">
                {t('suggest.edit')}
              </button>
              <button type="button" className="btn btn-small" onClick={discardSuggestion} disabled={suggestBusy} data-testid="suggestion-discard">
                {t('suggest.discard')}
              </button>
            </div>
          </div>
        )}
        {replyTo && (
          <div className="composer-reply">
            <div className="quote quote-static">
              <span className="quote-who">{t('composer.replyingTo')}</span>
              <span className="quote-text">{quoteText(t, replyTo)}</span>
            </div>
            <button type="button" className="icon-btn" aria-label={t('composer.cancelReply')} onClick={onCancelReply}>
              ×
            </button>
          </div>
        )}
        {file && (
          <div className="composer-file" data-testid="attachment">
            <Icon name="clip" size={16} />
            <span className="doc-name">{file.file.name}</span>
            <span className="hint">
              {t(`kind.${file.kind}` as Key)} · {bytes(file.file.size, locale)}
            </span>
            <button type="button" className="icon-btn" aria-label={t('composer.removeFile')} onClick={() => setFile(null)}>
              ×
            </button>
          </div>
        )}
        {fileError && (
          <p className="field-error" role="alert">
            {fileError}
          </p>
        )}
        {menuOpen && (
          <div className="canned-menu" data-testid="canned-menu">
            <ul className="mention-list canned-list" role="listbox" id="canned-list" aria-label={t('canned.menu')}>
              {matches.map((r, i) => (
                <li
                  key={r.id}
                  id={`canned-${r.id}`}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'mention-option mention-option-active canned-option' : 'mention-option canned-option'}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    pickCanned(i);
                  }}
                  data-testid="canned-option"
                >
                  <span className="canned-shortcut">/{r.shortcut}</span>
                  {r.scope === 'personal' && <span className="badge canned-badge">{t('canned.personal')}</span>}
                  <span className="canned-title">{r.title}</span>
                  <span className="canned-preview hint">{preview(r.text)}</span>
                </li>
              ))}
            </ul>
            {matches.length === 0 && (
              <p className="hint canned-empty" role="status">
                {canned.length === 0 ? t('canned.noneYet') : t('canned.noMatch', { q: slash.q })}
              </p>
            )}
          </div>
        )}
        <div className="composer-row">
          <button type="button" className="icon-btn attach-btn" aria-label={t('composer.attach')} title={t('composer.attach')} onClick={() => picker.current?.click()}>
            <Icon name="clip" size={22} />
          </button>
          <button
            type="button"
            className="icon-btn attach-btn"
            aria-label={t('ia.open')}
            title={t('ia.open')}
            onClick={() => setBuilding(true)}
            data-testid="interactive-open"
          >
            <Icon name="list" size={22} />
          </button>
          <input
            ref={picker}
            type="file"
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="file-input"
            accept={limits ? acceptAttribute(limits) : undefined}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void take(f);
              e.target.value = '';
            }}
          />
          <label htmlFor="composer-input" className="visually-hidden">
            {file ? t('composer.caption') : t('composer.label')}
          </label>
          <textarea
            id="composer-input"
            ref={input}
            className="composer-input"
            rows={1}
            maxLength={maxText}
            placeholder={file ? t('composer.caption') : t('composer.placeholder')}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              track(e.target.value, e.target.selectionStart ?? e.target.value.length);
              if (e.target.value.trim()) {
                typed();
                announce();
              }
            }}
            onSelect={(e) => {
              const el = e.currentTarget;
              if (slash) track(el.value, el.selectionStart ?? el.value.length);
            }}
            onBlur={() => serverDrafts.flush(conv.id)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            aria-describedby="composer-hint"
            aria-keyshortcuts="r"
            role="combobox"
            aria-expanded={menuOpen}
            aria-controls="canned-list"
            aria-autocomplete="list"
            aria-activedescendant={menuOpen && matches[active] ? `canned-${matches[active].id}` : undefined}
          />
          <button type="submit" className="btn btn-primary send-btn" disabled={!text.trim() && !file} aria-label={t('composer.send')}>
            <Icon name="send" size={20} />
          </button>
        </div>
        <p id="composer-hint" className="visually-hidden">
          {t('composer.hint')}
        </p>
      </form>
      {building && (
        <InteractiveBuilder
          onClose={() => setBuilding(false)}
          onSend={(m) => {
            actions.sendInteractive(conv.id, m, replyTo?.id);
            onSent();
          }}
        />
      )}
    </>
  );
}
