import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import type { ContactProfile } from '../api/types';
import { useI18n } from '../i18n';
import { dateTime } from '../lib/format';

/**
 * useContactProfile loads what the conversation header shows about the
 * contact beyond its name: the marketing preference and the identity
 * history. It reloads when the conversation changes (a new message may
 * follow a preference or number change).
 */
export function useContactProfile(contactId: string, version: string): ContactProfile | null {
  const [profile, setProfile] = useState<ContactProfile | null>(null);
  useEffect(() => {
    if (!contactId) return;
    let live = true;
    api
      .contactProfile(contactId)
      .then((p) => {
        if (live) setProfile(p);
      })
      .catch(() => {
        if (live) setProfile(null); // the header works without it
      });
    return () => {
      live = false;
    };
  }, [contactId, version]);
  return profile && profile.contact.id === contactId ? profile : null;
}

/** MarketingBadge marks a customer who stopped marketing messages. */
export function MarketingBadge({ profile }: { profile: ContactProfile | null }) {
  const { t, locale } = useI18n();
  const m = profile?.marketing;
  if (!m?.stopped) return null;
  const label = t('conv.marketingStopped', { date: dateTime(m.at, locale) });
  return (
    <span className="badge badge-warn" title={label} data-testid="marketing-stopped">
      <span aria-hidden="true">{t('conv.marketingStoppedShort')}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/** IdentityHistory lists the contact's earlier phone numbers and user ids. */
export function IdentityHistory({ profile }: { profile: ContactProfile | null }) {
  const { t, locale } = useI18n();
  const h = profile?.identity_history ?? [];
  if (h.length === 0) return null;
  return (
    <details className="identity-history" data-testid="identity-history">
      <summary>{t('conv.identityHistory')}</summary>
      <ul>
        {h.map((c, i) => (
          <li key={i}>
            {c.old_phone || c.new_phone
              ? t('conv.identityChange', { old: c.old_phone ? `+${c.old_phone}` : '—', new: c.new_phone ? `+${c.new_phone}` : '—', date: dateTime(c.at, locale) })
              : t('conv.identityChange', { old: c.old_user_id ?? '—', new: c.new_user_id ?? '—', date: dateTime(c.at, locale) })}
          </li>
        ))}
      </ul>
    </details>
  );
}
