import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/endpoints';
import type { Conversation, Template } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { errorText } from '../lib/errors';
import { buttonLabels, missingParameters, previewTemplate, sendable, templatePlaceholders, type Placeholder } from '../lib/templates';
import { useInboxContext } from '../state/store';
import { ErrorBox, Spinner } from './common';

/** TemplatePicker sends an approved template when the 24-hour window is closed. */
export function TemplatePicker({ conv }: { conv: Conversation }) {
  const { t } = useI18n();
  const { actions } = useInboxContext();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState('');
  const [choice, setChoice] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState('');
  const selectId = useId();

  useEffect(() => {
    let live = true;
    api
      .templates(conv.channel_id)
      .then((p) => {
        if (!live) return;
        const list = (p.items ?? []).filter(sendable);
        setTemplates(list);
        if (list.length === 1 && list[0]) setChoice(`${list[0].name}|${list[0].language}`);
      })
      .catch((err: unknown) => {
        if (live) setError(`${t('tpl.loadError')} ${errorText(t, err)}`);
      });
    return () => {
      live = false;
    };
  }, [conv.channel_id, t]);

  const selected = useMemo(
    () => templates?.find((x) => `${x.name}|${x.language}` === choice) ?? null,
    [templates, choice],
  );
  const placeholders = selected ? templatePlaceholders(selected) : [];
  const buttons = selected ? buttonLabels(selected) : [];
  const label = (p: Placeholder) => {
    const placeholder = `{{${p.name}}}`;
    if (p.media) return t('tpl.paramMedia', { format: t(`kind.${p.name}` as Key) });
    if (p.component === 'header') return t('tpl.paramHeader', { placeholder });
    if (p.component === 'button') return t('tpl.paramButton', { button: buttons[p.index ?? 0] ?? '', placeholder });
    return t('tpl.param', { placeholder });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected) return;
    if (missingParameters(selected, values).length > 0) {
      setFormError(t('tpl.missing'));
      return;
    }
    setFormError('');
    setBusy(true);
    await actions.sendTemplate(conv.id, selected, values);
    setBusy(false);
    setValues({});
  };

  if (error) return <ErrorBox text={error} />;
  if (!templates) return <Spinner label={t('common.loading')} />;
  if (templates.length === 0) return <p className="hint">{t('tpl.none')}</p>;

  return (
    <form className="template-picker" onSubmit={submit} data-testid="template-picker">
      <h2 className="tpl-title">{t('tpl.title')}</h2>
      <div className="field">
        <label htmlFor={selectId}>{t('tpl.choose')}</label>
        <select
          id={selectId}
          value={choice}
          onChange={(e) => {
            setChoice(e.target.value);
            setValues({});
          }}
        >
          <option value="">—</option>
          {templates.map((x) => (
            <option key={`${x.name}|${x.language}`} value={`${x.name}|${x.language}`}>
              {x.name} ({x.language}){x.quality && x.quality !== 'GREEN' && x.quality !== 'UNKNOWN' ? ` · ${t('templates.quality', { q: x.quality })}` : ''}
            </option>
          ))}
        </select>
      </div>
      {selected && (
        <>
          {placeholders.map((p) => (
            <div className="field" key={p.key}>
              <label htmlFor={`${selectId}-${p.key}`}>{label(p)}</label>
              <input
                id={`${selectId}-${p.key}`}
                value={values[p.key] ?? ''}
                inputMode={p.media ? 'url' : undefined}
                onChange={(e) => setValues((v) => ({ ...v, [p.key]: e.target.value }))}
              />
            </div>
          ))}
          <div className="tpl-preview" aria-label={t('tpl.preview')}>
            {previewTemplate(selected, values).map((c, i) => (
              <p key={i} className={`tpl-${c.type.toLowerCase()}`}>
                {c.text}
              </p>
            ))}
            {buttons.length > 0 && (
              <ul className="tpl-buttons" aria-label={t('tpl.buttons')}>
                {buttons.map((b, i) => (
                  <li key={i}>{b}</li>
                ))}
              </ul>
            )}
          </div>
          <ErrorBox text={formError} />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('tpl.send')}
          </button>
        </>
      )}
    </form>
  );
}
