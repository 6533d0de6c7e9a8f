import { useId, useMemo, useState, type FormEvent } from 'react';
import type { InteractiveSend } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { bodyLimit, chars, clean, limits, problems, slug, type Kind } from '../lib/interactive';
import { Dialog } from './common';

interface Row {
  title: string;
  description: string;
}
interface Section {
  title: string;
  rows: Row[];
}

/** Counted is a labelled text field with a live "used/limit" counter. */
function Counted({
  label,
  value,
  max,
  onChange,
  multiline,
  required,
  type,
  testId,
}: {
  label: string;
  value: string;
  max: number;
  onChange: (v: string) => void;
  multiline?: boolean;
  required?: boolean;
  type?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const n = chars(value.trim());
  const overBy = n > max;
  const props = {
    id,
    value,
    required,
    'aria-invalid': overBy || undefined,
    'aria-describedby': `${id}-count`,
    'data-testid': testId,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="field ia-field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={3} {...props} /> : <input type={type ?? 'text'} autoComplete="off" {...props} />}
      <span id={`${id}-count`} className={overBy ? 'ia-count ia-count-over' : 'ia-count'} aria-label={t('ia.count', { n, max })}>
        {n}/{max}
      </span>
    </div>
  );
}

/**
 * InteractiveBuilder is the composer's "Buttons / list / link" dialog: it
 * builds reply buttons (up to three), a list (sections of rows, ten rows in
 * all) or a link button, counts every text against WhatsApp's limit as the
 * user types, and sends only a message WhatsApp will take.
 */
export function InteractiveBuilder({ onClose, onSend }: { onClose: () => void; onSend: (m: InteractiveSend) => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind>('button');
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [footer, setFooter] = useState('');
  const [buttons, setButtons] = useState<string[]>(['', '']);
  const [listButton, setListButton] = useState('');
  const [sections, setSections] = useState<Section[]>([{ title: '', rows: [{ title: '', description: '' }] }]);
  const [displayText, setDisplayText] = useState('');
  const [url, setUrl] = useState('https://');
  const [tried, setTried] = useState(false);
  const kindName = useId();

  const message = useMemo((): InteractiveSend => {
    const taken = new Set<string>();
    const id = (title: string) => {
      const s = slug(title, taken);
      taken.add(s);
      return s;
    };
    const m: InteractiveSend = { kind, body, header, footer };
    if (kind === 'button') m.buttons = buttons.map((b) => ({ id: id(b), title: b }));
    if (kind === 'list') {
      m.list_button = listButton;
      m.sections = sections.map((s) => ({ title: s.title, rows: s.rows.map((r) => ({ id: id(r.title), title: r.title, description: r.description })) }));
    }
    if (kind === 'cta_url') {
      m.display_text = displayText;
      m.url = url;
    }
    return m;
  }, [kind, body, header, footer, buttons, listButton, sections, displayText, url]);
  const issues = problems(message);
  const totalRows = sections.reduce((n, s) => n + s.rows.length, 0);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setTried(true);
    if (issues.length > 0) return;
    onSend(clean(message));
    onClose();
  };
  const field = (f: string) => t(`ia.f.${f}` as Key);
  const setSection = (i: number, s: Section) => setSections(sections.map((x, j) => (j === i ? s : x)));

  return (
    <Dialog title={t('ia.title')} onClose={onClose} wide>
      <form onSubmit={submit} className="ia-builder" data-testid="interactive-builder">
        <fieldset className="ia-kinds">
          <legend>{t('ia.kind')}</legend>
          {(['button', 'list', 'cta_url'] as const).map((k) => (
            <label key={k} className="check">
              <input type="radio" name={kindName} value={k} checked={kind === k} onChange={() => setKind(k)} /> {t(`ia.kind.${k}` as Key)}
            </label>
          ))}
        </fieldset>
        <Counted label={t('ia.header')} value={header} max={limits.header} onChange={setHeader} testId="ia-header" />
        <Counted label={t('ia.body')} value={body} max={bodyLimit(kind)} onChange={setBody} multiline required testId="ia-body" />
        <Counted label={t('ia.footer')} value={footer} max={limits.footer} onChange={setFooter} testId="ia-footer" />

        {kind === 'button' && (
          <fieldset>
            <legend>{t('ia.buttons', { max: limits.buttons })}</legend>
            {buttons.map((b, i) => (
              <div className="ia-item" key={i}>
                <Counted
                  label={t('ia.buttonN', { n: i + 1 })}
                  value={b}
                  max={limits.buttonTitle}
                  onChange={(v) => setButtons(buttons.map((x, j) => (j === i ? v : x)))}
                  testId={`ia-button-${i}`}
                />
                {buttons.length > 1 && (
                  <button type="button" className="btn btn-small" onClick={() => setButtons(buttons.filter((_, j) => j !== i))}>
                    {t('ia.remove')}
                    <span className="visually-hidden"> {t('ia.buttonN', { n: i + 1 })}</span>
                  </button>
                )}
              </div>
            ))}
            {buttons.length < limits.buttons && (
              <button type="button" className="btn btn-small" onClick={() => setButtons([...buttons, ''])} data-testid="ia-add-button">
                {t('ia.addButton')}
              </button>
            )}
          </fieldset>
        )}

        {kind === 'list' && (
          <>
            <Counted label={t('ia.listButton')} value={listButton} max={limits.listButton} onChange={setListButton} required testId="ia-list-button" />
            <p className="hint" aria-live="polite">
              {t('ia.rowsUsed', { n: totalRows, max: limits.rows })}
            </p>
            {sections.map((s, i) => (
              <fieldset key={i} className="ia-section">
                <legend>{t('ia.sectionN', { n: i + 1 })}</legend>
                <Counted label={t('ia.sectionTitle')} value={s.title} max={limits.sectionTitle} onChange={(v) => setSection(i, { ...s, title: v })} />
                {s.rows.map((r, j) => (
                  <div className="ia-item" key={j}>
                    <Counted
                      label={t('ia.rowN', { n: j + 1 })}
                      value={r.title}
                      max={limits.rowTitle}
                      onChange={(v) => setSection(i, { ...s, rows: s.rows.map((x, k) => (k === j ? { ...x, title: v } : x)) })}
                      testId={`ia-row-${i}-${j}`}
                    />
                    <Counted
                      label={t('ia.rowDescription')}
                      value={r.description}
                      max={limits.rowDescription}
                      onChange={(v) => setSection(i, { ...s, rows: s.rows.map((x, k) => (k === j ? { ...x, description: v } : x)) })}
                    />
                    {s.rows.length > 1 && (
                      <button type="button" className="btn btn-small" onClick={() => setSection(i, { ...s, rows: s.rows.filter((_, k) => k !== j) })}>
                        {t('ia.remove')}
                        <span className="visually-hidden"> {t('ia.rowN', { n: j + 1 })}</span>
                      </button>
                    )}
                  </div>
                ))}
                <div className="ia-actions">
                  {totalRows < limits.rows && (
                    <button type="button" className="btn btn-small" onClick={() => setSection(i, { ...s, rows: [...s.rows, { title: '', description: '' }] })}>
                      {t('ia.addRow')}
                    </button>
                  )}
                  {sections.length > 1 && (
                    <button type="button" className="btn btn-small" onClick={() => setSections(sections.filter((_, k) => k !== i))}>
                      {t('ia.removeSection')}
                    </button>
                  )}
                </div>
              </fieldset>
            ))}
            {sections.length < limits.sections && totalRows < limits.rows && (
              <button type="button" className="btn btn-small" onClick={() => setSections([...sections, { title: '', rows: [{ title: '', description: '' }] }])}>
                {t('ia.addSection')}
              </button>
            )}
          </>
        )}

        {kind === 'cta_url' && (
          <>
            <Counted label={t('ia.displayText')} value={displayText} max={limits.displayText} onChange={setDisplayText} required testId="ia-display-text" />
            <Counted label={t('ia.url')} value={url} max={limits.url} onChange={setUrl} required type="url" testId="ia-url" />
          </>
        )}

        {tried && issues.length > 0 && (
          <ul className="field-error ia-problems" role="alert" data-testid="ia-problems">
            {issues.map((p, i) => (
              <li key={i}>{t(p.key, { ...p.vars, ...(typeof p.vars?.field === 'string' ? { field: field(p.vars.field) } : {}) })}</li>
            ))}
          </ul>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="ia-send">
            {t('ia.send')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
