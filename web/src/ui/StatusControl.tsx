import { useId, useState, type FormEvent } from 'react';
import type { Conversation } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { errorText } from '../lib/errors';
import { parseLocalTime, snoozeUntil, type SnoozePreset } from '../lib/snooze';
import type { ConvStatus } from '../state/inbox';
import { Icon } from './icons';
import { useToasts } from './Toasts';

type Choice = 'pending' | 'reply' | SnoozePreset | 'custom';

const choices: { value: Choice; label: Key }[] = [
  { value: 'pending', label: 'status.pending' },
  { value: 'reply', label: 'snooze.untilReply' },
  { value: 'later', label: 'snooze.later' },
  { value: 'tomorrow', label: 'snooze.tomorrow' },
  { value: 'week', label: 'snooze.week' },
  { value: 'custom', label: 'snooze.custom' },
];

/**
 * StatusControl is the conversation header's status tools: resolve (or
 * open again), and a small form to mark it waiting for the customer or to
 * snooze it until a preset time, a chosen time or the customer's reply.
 * A resolved conversation can only be opened again, as the server rules.
 */
export function StatusControl({
  conv,
  setStatus,
}: {
  conv: Conversation;
  setStatus: (convId: string, status: ConvStatus, snoozedUntil?: string | null) => Promise<void>;
}) {
  const { t } = useI18n();
  const toasts = useToasts();
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<Choice>('pending');
  const [custom, setCustom] = useState('');
  const selectId = useId();
  const customId = useId();

  const run = async (status: ConvStatus, until?: Date | null) => {
    setBusy(true);
    try {
      await setStatus(conv.id, status, until ? until.toISOString() : null);
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (choice === 'pending') return void run('pending');
    if (choice === 'reply') return void run('snoozed');
    if (choice === 'custom') {
      const at = parseLocalTime(custom);
      if (!at) {
        toasts.show({ text: t('snooze.customInvalid'), tone: 'error' });
        return;
      }
      return void run('snoozed', at);
    }
    void run('snoozed', snoozeUntil(choice, new Date()));
  };

  const resolved = conv.status === 'resolved';
  return (
    <>
      {!resolved && (
        <form className="status-form" onSubmit={apply} data-testid="status-form">
          <label htmlFor={selectId} className="visually-hidden">
            {t('status.more')}
          </label>
          <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value as Choice)} disabled={busy} data-testid="status-choice">
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {t(c.label)}
              </option>
            ))}
          </select>
          {choice === 'custom' && (
            <>
              <label htmlFor={customId} className="visually-hidden">
                {t('snooze.customLabel')}
              </label>
              <input id={customId} type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} required data-testid="snooze-custom" />
            </>
          )}
          <button type="submit" className="btn btn-small" disabled={busy} data-testid="status-apply">
            <Icon name="clock" size={18} /> <span className="btn-label">{t('status.apply')}</span>
          </button>
        </form>
      )}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => void run(resolved ? 'open' : 'resolved')}
        disabled={busy}
        aria-label={resolved ? t('conv.reopen') : t('conv.resolve')}
        title={resolved ? t('conv.reopen') : t('conv.resolve')}
        data-testid="status-toggle"
      >
        <Icon name={resolved ? 'refresh' : 'check'} size={18} /> <span className="btn-label">{resolved ? t('conv.reopen') : t('conv.resolve')}</span>
      </button>
      {conv.status !== 'open' && !resolved && (
        <button type="button" className="btn btn-small" onClick={() => void run('open')} disabled={busy} data-testid="status-open">
          <Icon name="refresh" size={18} /> <span className="btn-label">{t('status.openAgain')}</span>
        </button>
      )}
    </>
  );
}
