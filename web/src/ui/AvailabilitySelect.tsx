import { useState } from 'react';
import { api } from '../api/endpoints';
import type { Availability } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { useInboxContext } from '../state/store';
import { useToasts } from './Toasts';

const values: Availability[] = ['online', 'away', 'offline'];

/**
 * AvailabilitySelect sets the user's availability for routing: only who is
 * online gets conversations automatically. The server sets them offline
 * after their last tab closed. It is in the rail on wide screens and on
 * the account page (the phone's way to it).
 */
export function AvailabilitySelect({ testId = 'availability' }: { testId?: string }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const { me } = useInboxContext();
  const [value, setValue] = useState<Availability>(me.user.availability ?? 'offline');
  const change = async (v: Availability) => {
    const before = value;
    setValue(v);
    try {
      await api.setAvailability(v);
    } catch (err) {
      setValue(before);
      toasts.show({ text: errorText(t, err), tone: 'error' });
    }
  };
  return (
    <label className={`availability availability-${value}`}>
      <span className="visually-hidden">{t('availability.label')}</span>
      <select value={value} onChange={(e) => void change(e.target.value as Availability)} data-testid={testId}>
        {values.map((v) => (
          <option key={v} value={v}>
            {t(`availability.${v}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
