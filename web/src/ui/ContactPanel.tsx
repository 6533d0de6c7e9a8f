import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { AttributeDef, AttributeType, ContactChange, ContactPanel as Panel } from '../api/types';
import { useI18n } from '../i18n';
import { useInboxContext } from '../state/store';
import { errorText } from '../lib/errors';
import { dateTime, displayName, phone } from '../lib/format';
import { ErrorBox, Spinner } from './common';
import { Icon } from './icons';
import { onLinkClick } from './router';

/** contactUpdatedEvent is the window event the store raises for a contact.updated event. */
export const contactUpdatedEvent = 'switchboard:contact-updated';

/**
 * ContactPanel is the panel beside a conversation (on phone widths a
 * sheet over it): who the customer is, their conversations the user may
 * see, the team's notes about them and their custom attributes. It
 * reloads when a contact.updated event names its contact. Esc closes it.
 */
export function ContactPanel({ convId, onClose }: { convId: string; onClose: () => void }) {
  const { t, locale } = useI18n();
  const [panel, setPanel] = useState<Panel | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const contactId = panel?.contact.id ?? '';

  const load = useCallback(() => {
    api
      .contactPanel(convId)
      .then((p) => {
        setPanel(p);
        setError('');
      })
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [convId, t]);

  useEffect(() => {
    setPanel(null);
    load();
  }, [load]);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    const onChange = (e: Event) => {
      const d = (e as CustomEvent<ContactChange>).detail;
      if (d && d.contact_id === contactId) load();
    };
    window.addEventListener(contactUpdatedEvent, onChange);
    return () => window.removeEventListener(contactUpdatedEvent, onChange);
  }, [contactId, load]);

  return (
    <aside
      className="contact-panel"
      aria-labelledby="contact-panel-title"
      data-testid="contact-panel"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="contact-panel-head">
        <h2 id="contact-panel-title" tabIndex={-1} ref={heading}>
          {t('contact.title')}
        </h2>
        <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose} data-testid="contact-panel-close">
          <Icon name="close" />
        </button>
      </header>
      <ErrorBox text={error} />
      {!panel && !error && <Spinner label={t('common.loading')} />}
      {panel && (
        <div className="contact-panel-body">
          <section aria-label={t('contact.who')}>
            <p className="contact-name" data-testid="contact-name">
              {panel.contact.name || t('contact.noName')}
            </p>
            <dl className="contact-facts">
              {panel.contact.phone ? (
                <>
                  <dt>{t('contact.phone')}</dt>
                  <dd data-testid="contact-phone">{phone(panel.contact.phone)}</dd>
                </>
              ) : null}
              {panel.contact.username ? (
                <>
                  <dt>{t('contact.username')}</dt>
                  <dd data-testid="contact-username">{panel.contact.username}</dd>
                </>
              ) : null}
            </dl>
            {!panel.contact.phone && <p className="hint">{t('contact.usernameOnly')}</p>}
          </section>
          <Conversations panel={panel} current={convId} />
          <Attributes panel={panel} convId={convId} onChanged={load} />
          <Notes panel={panel} convId={convId} onChanged={load} />
          {panel.can_manage_attributes && <ManageAttributes defs={panel.attributes} onChanged={load} />}
          <p className="hint">{t('contact.privacy', { date: dateTime(panel.contact.created_at, locale) })}</p>
        </div>
      )}
    </aside>
  );
}

function Conversations({ panel, current }: { panel: Panel; current: string }) {
  const { t, locale } = useI18n();
  return (
    <section aria-labelledby="contact-convs">
      <h3 id="contact-convs">{t('contact.conversations')}</h3>
      <ul className="contact-convs" data-testid="contact-conversations">
        {panel.conversations.map((c) => (
          <li key={c.id}>
            {c.id === current ? (
              <span aria-current="page">
                {t('contact.thisConversation')} · {t(`inbox.s.${c.status}`)}
              </span>
            ) : (
              <a href={`/c/${encodeURIComponent(c.id)}`} onClick={(e) => onLinkClick(e, `/c/${encodeURIComponent(c.id)}`)} data-testid="contact-conversation">
                {displayName(c)} · {t(`inbox.s.${c.status}`)} · {dateTime(c.updated_at, locale)}
                {c.last_message?.text ? <span className="contact-conv-preview"> — {c.last_message.text}</span> : null}
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Notes({ panel, convId, onChanged }: { panel: Panel; convId: string; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const { me } = useInboxContext();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    try {
      await api.addContactNote(convId, text);
      setText('');
      setError('');
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    try {
      await api.deleteContactNote(convId, id);
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <section aria-labelledby="contact-notes">
      <h3 id="contact-notes">{t('contact.notes')}</h3>
      {panel.can_write_notes && (
        <form onSubmit={(e) => void submit(e)} className="contact-note-form">
          <label htmlFor="contact-note-text" className="visually-hidden">
            {t('contact.noteLabel')}
          </label>
          <textarea
            id="contact-note-text"
            value={text}
            maxLength={4096}
            rows={2}
            placeholder={t('contact.notePlaceholder')}
            onChange={(e) => setText(e.target.value)}
            data-testid="contact-note-input"
          />
          <button type="submit" className="btn btn-small" disabled={busy || !text.trim()} data-testid="contact-note-add">
            {t('contact.addNote')}
          </button>
        </form>
      )}
      <ErrorBox text={error} />
      {panel.notes.length === 0 && <p className="hint">{t('contact.noNotes')}</p>}
      <ul className="contact-notes" data-testid="contact-notes">
        {panel.notes.map((n) => (
          <li key={n.id} className="contact-note">
            <p className="contact-note-text">{n.text}</p>
            <p className="contact-note-meta">
              {t('contact.noteBy', { name: n.author_name || t('activity.system'), time: dateTime(n.created_at, locale) })}
              {panel.can_write_notes && (n.author_id === me.user.id || panel.can_edit_values) && (
                <button type="button" className="link-btn" onClick={() => void remove(n.id)} aria-label={t('contact.deleteNote')}>
                  <Icon name="trash" size={14} />
                </button>
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Attributes({ panel, convId, onChanged }: { panel: Panel; convId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const initial = useCallback(() => {
    const v: Record<string, string> = {};
    for (const d of panel.attributes) v[d.id] = panel.values[d.id]?.value ?? '';
    return v;
  }, [panel]);
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => setValues(initial()), [initial]);
  if (panel.attributes.length === 0) {
    return (
      <section aria-labelledby="contact-attrs">
        <h3 id="contact-attrs">{t('contact.attributes')}</h3>
        <p className="hint">{t('contact.noAttributes')}</p>
      </section>
    );
  }
  const changed = panel.attributes.filter((d) => (values[d.id] ?? '') !== (panel.values[d.id]?.value ?? ''));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (changed.length === 0) return;
    setBusy(true);
    setSaved(false);
    try {
      const body: Record<string, string> = {};
      for (const d of changed) body[d.id] = values[d.id] ?? '';
      await api.setContactAttributes(convId, body);
      setError('');
      setSaved(true);
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="contact-attrs">
      <h3 id="contact-attrs">{t('contact.attributes')}</h3>
      <form onSubmit={(e) => void submit(e)} className="contact-attrs" data-testid="contact-attributes">
        {panel.attributes.map((d) => (
          <div key={d.id} className="field">
            <label htmlFor={`attr-${d.id}`}>{d.name}</label>
            <AttributeInput d={d} value={values[d.id] ?? ''} disabled={!panel.can_edit_values} onChange={(v) => setValues({ ...values, [d.id]: v })} />
          </div>
        ))}
        <ErrorBox text={error} />
        {panel.can_edit_values && (
          <button type="submit" className="btn btn-small" disabled={busy || changed.length === 0} data-testid="contact-attributes-save">
            {t('common.save')}
          </button>
        )}
        {saved && changed.length === 0 && (
          <span role="status" className="hint">
            {t('contact.saved')}
          </span>
        )}
      </form>
    </section>
  );
}

function AttributeInput({ d, value, disabled, onChange }: { d: AttributeDef; value: string; disabled: boolean; onChange: (v: string) => void }) {
  const { t } = useI18n();
  const id = `attr-${d.id}`;
  if (d.type === 'list') {
    return (
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} data-testid={`attr-${d.name}`}>
        <option value="">{t('contact.noValue')}</option>
        {/* A value whose option was removed stays visible until it is changed. */}
        {value && !d.options.includes(value) && <option value={value}>{value}</option>}
        {d.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  const type = d.type === 'date' ? 'date' : 'text';
  return (
    <input
      id={id}
      type={type}
      inputMode={d.type === 'number' ? 'decimal' : undefined}
      value={value}
      maxLength={1024}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value)}
      data-testid={`attr-${d.name}`}
    />
  );
}

const attributeTypes: AttributeType[] = ['text', 'number', 'date', 'list'];

function ManageAttributes({ defs, onChanged }: { defs: AttributeDef[]; onChanged: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [type, setType] = useState<AttributeType>('text');
  const [options, setOptions] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const opts = type === 'list' ? options.split(',').map((o) => o.trim()).filter(Boolean) : [];
      await api.createAttributeDef({ name, type, ...(type === 'list' ? { options: opts } : {}) });
      setName('');
      setOptions('');
      setError('');
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (d: AttributeDef) => {
    if (!window.confirm(t('contact.deleteAttributeConfirm', { name: d.name }))) return;
    try {
      await api.deleteAttributeDef(d.id);
      onChanged();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <details className="contact-manage" data-testid="contact-manage">
      <summary>{t('contact.manage')}</summary>
      <ul>
        {defs.map((d) => (
          <li key={d.id}>
            {d.name} <span className="hint">({t(`contact.type.${d.type}`)}{d.type === 'list' ? `: ${d.options.join(', ')}` : ''})</span>{' '}
            <button type="button" className="link-btn" onClick={() => void remove(d)} aria-label={t('contact.deleteAttribute', { name: d.name })}>
              <Icon name="trash" size={14} />
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void submit(e)} className="contact-manage-form">
        <div className="field">
          <label htmlFor="attr-new-name">{t('contact.attrName')}</label>
          <input id="attr-new-name" value={name} maxLength={64} required onChange={(e) => setName(e.target.value)} data-testid="attr-new-name" />
        </div>
        <div className="field">
          <label htmlFor="attr-new-type">{t('contact.attrType')}</label>
          <select id="attr-new-type" value={type} onChange={(e) => setType(e.target.value as AttributeType)} data-testid="attr-new-type">
            {attributeTypes.map((ty) => (
              <option key={ty} value={ty}>
                {t(`contact.type.${ty}`)}
              </option>
            ))}
          </select>
        </div>
        {type === 'list' && (
          <div className="field">
            <label htmlFor="attr-new-options">{t('contact.attrOptions')}</label>
            <input id="attr-new-options" value={options} onChange={(e) => setOptions(e.target.value)} data-testid="attr-new-options" />
          </div>
        )}
        <ErrorBox text={error} />
        <button type="submit" className="btn btn-small" disabled={busy || !name.trim()} data-testid="attr-new-add">
          {t('contact.addAttribute')}
        </button>
      </form>
    </details>
  );
}
