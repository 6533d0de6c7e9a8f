import { useId } from 'react';
import { languages, useI18n, type Lang } from '../i18n';

export function LanguageSelect({ compact }: { compact?: boolean }) {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <div className={compact ? 'lang-select lang-compact' : 'lang-select'}>
      <label htmlFor={id}>{t('lang.label')}</label>
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {languages.map((l) => (
          <option key={l.code} value={l.code} lang={l.code} label={compact ? l.code.toUpperCase() : l.name}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
