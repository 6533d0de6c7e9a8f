import { memo, useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import type { Media, Message, SharedContact } from '../api/types';
import { useI18n, type Key, type T } from '../i18n';
import { bytes, clockTime, coordinates, osmLink } from '../lib/format';
import { canSendAgain } from '../lib/sendAgain';
import type { ReactionSummary } from '../state/inbox';
import { useRetryableCodes } from '../state/sendErrors';
import { useInboxContext } from '../state/store';
import { Icon, type IconName } from './icons';

/** statusInfo is the tick and its explanation for an outgoing message. */
export function statusInfo(t: T, m: Message): { tick: string; label: string; className: string } {
  switch (m.status) {
    case 'pending':
      // A temporary failure is being retried: say so, and why.
      if (m.error?.title) return { tick: '↻', label: t('msg.retrying', { reason: m.error.title }), className: 'tick tick-pending' };
      return { tick: '', label: t('msg.pending'), className: 'tick tick-pending' };
    case 'sent':
      return { tick: '✓', label: t('msg.sent'), className: 'tick' };
    case 'delivered':
      return { tick: '✓✓', label: t('msg.delivered'), className: 'tick' };
    case 'read':
      return { tick: '✓✓', label: t('msg.read'), className: 'tick tick-read' };
    case 'failed': {
      const reason = [m.error?.title, m.error?.details].filter(Boolean).join(' — ');
      return {
        tick: '⚠',
        label: reason ? t('msg.failedReason', { reason }) : t('msg.failed'),
        className: 'tick tick-failed',
      };
    }
    case 'unknown':
      return { tick: '?', label: t('msg.unknown'), className: 'tick tick-unknown' };
  }
  return { tick: '', label: '', className: 'tick' };
}

/** quoteText is a one-line summary of a quoted message. */
export function quoteText(t: T, m: Message): string {
  if (m.content?.text) return m.content.text;
  const k = `preview.${m.type}` as Key;
  return t(k) || m.type;
}

/**
 * RetryingImage is an image that tries again after a failed load once the
 * connection is back (the event stream reopens, or the browser is online
 * again), or when clicked, instead of staying broken until a reload.
 */
function RetryingImage({ src, alt, className, href }: { src: string; alt: string; className: string; href: string }) {
  const { t } = useI18n();
  const { connection } = useInboxContext();
  const [attempt, setAttempt] = useState(0);
  const [failed, setFailed] = useState(false);
  const prev = useRef(connection);
  const retry = () => {
    setFailed(false);
    setAttempt((a) => a + 1);
  };
  useEffect(() => {
    const was = prev.current;
    prev.current = connection;
    if (failed && connection === 'open' && was !== 'open') retry();
  }, [connection, failed]);
  useEffect(() => {
    if (!failed) return;
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [failed]);
  if (failed) {
    return (
      <button type="button" className="media-doc media-failed" data-testid="image-failed" onClick={retry}>
        <Icon name="camera" size={28} className="doc-icon" />
        <span className="doc-meta">
          <span className="doc-name">{alt}</span>
          <span className="hint">{t('msg.imageNotLoaded')}</span>
          <span className="hint">{t('common.retry')}</span>
        </span>
      </button>
    );
  }
  // A new address per attempt, so the browser does not answer from its cache.
  const url = attempt ? `${src}?attempt=${attempt}` : src;
  return (
    <a href={href} target="_blank" rel="noopener" className={className}>
      <img src={url} alt={alt} loading="lazy" decoding="async" onError={() => setFailed(true)} />
    </a>
  );
}

function MediaView({ m, media }: { m: Message; media: Media }) {
  const { t, locale } = useI18n();
  const caption = m.content.text;
  if (!media.id) {
    // A local upload, or a file the server is still fetching from WhatsApp.
    let note = m.id.startsWith('local-') ? '' : t('msg.mediaPending');
    if (media.state === 'failed') note = t('msg.mediaFailed');
    if (media.state === 'expired') note = t('msg.mediaExpired');
    return (
      <div className="media-doc">
        <Icon name={(m.type === 'image' ? 'camera' : m.type === 'video' ? 'video' : m.type === 'audio' ? 'mic' : 'file') as IconName} size={28} className="doc-icon" />
        <span className="doc-meta">
          <span className="doc-name">{media.filename || t(`preview.${m.type}` as Key)}</span>
          {(media.size ?? 0) > 0 && <span className="hint">{bytes(media.size ?? 0, locale)}</span>}
          {note && <span className="hint">{note}</span>}
        </span>
      </div>
    );
  }
  const url = api.mediaURL(media.id);
  switch (m.type) {
    case 'image':
    case 'sticker':
      return (
        <RetryingImage
          src={url}
          href={url}
          alt={caption || media.filename || t(`preview.${m.type}` as Key)}
          className={m.type === 'sticker' ? 'media-sticker' : 'media-image'}
        />
      );
    case 'video':
      return <video className="media-video" controls preload="metadata" src={url} aria-label={caption || t('preview.video')} />;
    case 'audio':
      return (
        <div className="media-audio">
          <span className="hint">{media.voice ? t('msg.voice') : media.filename || t('preview.audio')}</span>
          <audio controls preload="none" src={url} aria-label={media.voice ? t('msg.voice') : t('preview.audio')} />
        </div>
      );
    default:
      return (
        <a className="media-doc" href={url} download={media.filename || true} rel="noopener">
          <Icon name="file" size={28} className="doc-icon" />
          <span className="doc-meta">
            <span className="doc-name">{media.filename || t('preview.document')}</span>
            <span className="hint">
              {[media.mime_type, (media.size ?? 0) > 0 ? bytes(media.size ?? 0, locale) : ''].filter(Boolean).join(' · ')}
            </span>
          </span>
          <span className="doc-download">
            <Icon name="download" size={16} /> {t('msg.download')}
          </span>
        </a>
      );
  }
}

function ContactCard({ c }: { c: SharedContact }) {
  const { t } = useI18n();
  const name = c.name?.formatted_name || [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ');
  return (
    <div className="contact-card">
      <Icon name="person" size={28} className="doc-icon" />
      <div>
        <div className="doc-name">{name || t('preview.contacts')}</div>
        {c.org?.company && <div className="hint">{[c.org.company, c.org.title].filter(Boolean).join(', ')}</div>}
        {(c.phones ?? []).map((p, i) => (
          <div key={`p${i}`}>
            <span className="hint">{t('msg.contactPhone')}: </span>
            {p.phone || p.wa_id}
          </div>
        ))}
        {(c.emails ?? []).map((e, i) => (
          <div key={`e${i}`}>
            <span className="hint">{t('msg.contactEmail')}: </span>
            {e.email}
          </div>
        ))}
      </div>
    </div>
  );
}

function Body({ m }: { m: Message }) {
  const { t, locale } = useI18n();
  const c = m.content ?? {};
  switch (m.type) {
    case 'text':
      return <p className="msg-text">{c.text}</p>;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return (
        <>
          {c.media ? <MediaView m={m} media={c.media} /> : <p className="hint">{t(`preview.${m.type}` as Key)}</p>}
          {c.text && <p className="msg-text msg-caption">{c.text}</p>}
        </>
      );
    case 'location': {
      const l = c.location;
      if (!l) return <p className="hint">{t('preview.location')}</p>;
      return (
        <div className="location">
          <Icon name="pin" size={28} className="doc-icon" />
          <div>
            {l.name && <div className="doc-name">{l.name}</div>}
            {l.address && <div>{l.address}</div>}
            <div className="hint">{coordinates(l.latitude, l.longitude, locale)}</div>
            <a href={osmLink(l.latitude, l.longitude)} target="_blank" rel="noopener noreferrer">
              {t('msg.openMap')}
            </a>
          </div>
        </div>
      );
    }
    case 'contacts':
      return (
        <div className="contacts">
          {(Array.isArray(c.contacts) ? c.contacts : []).map((cc, i) => (
            <ContactCard key={i} c={cc} />
          ))}
        </div>
      );
    case 'interactive':
    case 'button':
      return (
        <p className="msg-text">
          <Icon name="tap" size={15} />{' '}
          {c.interactive?.title || c.text || t('preview.interactive')}
          {c.interactive?.description && <span className="hint"> — {c.interactive.description}</span>}
        </p>
      );
    case 'template': {
      const tp = c.template;
      const params = tp?.parameters ? Object.entries(tp.parameters) : [];
      return (
        <div className="template-msg">
          <p className="msg-text">
            <Icon name="list" size={15} />{' '}
            {tp ? t('msg.template', { name: tp.name, language: tp.language }) : t('preview.template')}
          </p>
          {c.text && <p className="msg-text">{c.text}</p>}
          {params.length > 0 && !c.text && (
            <dl className="params">
              {params.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      );
    }
    case 'order':
      return (
        <p className="msg-text">
          <Icon name="cart" size={15} />{' '}
          {c.text || t('msg.order')}
        </p>
      );
    case 'system':
      return <p className="msg-text msg-system">{c.text || t('msg.system')}</p>;
    case 'reaction':
      return <p className="msg-text">{c.reaction?.emoji}</p>;
    default:
      return <p className="msg-text msg-unsupported">{t('msg.unsupported')}</p>;
  }
}

interface Props {
  m: Message;
  /** Upload progress of a local file message, 0 to 1. */
  progress: number | undefined;
  quoted: Message | undefined;
  reactions: ReactionSummary[] | undefined;
  senderName: string;
  canReply: boolean;
  /** windowOpen: the service window is open now (a text refused for the closed window may be sent again). */
  windowOpen: boolean;
  onReply: (m: Message) => void;
  onRetry: (m: Message) => void;
  onDiscard: (m: Message) => void;
  onQuoteClick: (id: string) => void;
}

export const MessageBubble = memo(function MessageBubble({
  m,
  progress,
  quoted,
  reactions,
  senderName,
  canReply,
  windowOpen,
  onReply,
  onRetry,
  onDiscard,
  onQuoteClick,
}: Props) {
  const { t, locale } = useI18n();
  const out = m.direction === 'out';
  const status = out ? statusInfo(t, m) : null;
  const local = m.id.startsWith('local-');
  const retryableCodes = useRetryableCodes();
  const retryable = canSendAgain(m, retryableCodes, windowOpen);
  // An unknown outcome may have reached the customer: sending again is the
  // user's deliberate choice, after a confirmation.
  const retryUnknown = out && !local && canReply && m.status === 'unknown';
  const c = m.content ?? {};
  return (
    <div
      id={`m-${m.id}`}
      className={`msg ${out ? 'msg-out' : 'msg-in'}${m.status === 'failed' ? ' msg-failed' : ''}`}
      data-testid="message"
      data-status={m.status}
      data-type={m.type}
    >
      <div className="bubble">
        {out && (senderName || m.author === 'bot') && (
          <div className="msg-sender">
            {m.author === 'bot' && (
              <span className="badge badge-bot" data-testid="bot-badge">
                {t('handoff.bot')}
              </span>
            )}{' '}
            {senderName}
          </div>
        )}
        {(c.forwarded || c.frequently_forwarded) && (
          <div className="msg-forwarded">↪ {c.frequently_forwarded ? t('msg.frequentlyForwarded') : t('msg.forwarded')}</div>
        )}
        {m.reply_to_id && (
          <button type="button" className="quote" onClick={() => m.reply_to_id && onQuoteClick(m.reply_to_id)}>
            <span className="quote-who">
              {quoted ? (quoted.direction === 'in' ? t('msg.customer') : t('msg.you')) : t('msg.quoted')}
            </span>
            <span className="quote-text">{quoted ? quoteText(t, quoted) : t('msg.quotedMissing')}</span>
          </button>
        )}
        <Body m={m} />
        {progress !== undefined && m.status === 'pending' && (
          <progress
            className="upload-progress"
            max={100}
            value={Math.round(progress * 100)}
            aria-label={t('composer.uploading', { percent: Math.round(progress * 100) })}
          />
        )}
        <div className="msg-meta">
          <time dateTime={m.timestamp}>{clockTime(m.timestamp, locale)}</time>
          {status && (
            <span className={status.className} title={status.label} aria-label={status.label} role="img">
              {m.status === 'pending' ? <Icon name="clock" size={12} /> : status.tick}
            </span>
          )}
        </div>
        {m.status === 'failed' && status && <p className="msg-error">{status.label}</p>}
      </div>
      {reactions && reactions.length > 0 && (
        <div className="reactions" aria-label={t('msg.reactions')}>
          {reactions.map((r) => (
            <span
              key={r.direction}
              className="reaction"
              title={r.direction === 'in' ? t('msg.reactedCustomer', { emoji: r.emoji }) : t('msg.reactedUs', { emoji: r.emoji })}
            >
              {r.emoji}
            </span>
          ))}
        </div>
      )}
      <div className="msg-actions">
        {canReply && !local && (
          <button type="button" className="link-btn" onClick={() => onReply(m)} aria-label={t('msg.replyTo')}>
            <Icon name="reply" size={14} /> {t('msg.reply')}
          </button>
        )}
        {retryable && (
          <button type="button" className="link-btn" onClick={() => onRetry(m)}>
            <Icon name="refresh" size={14} /> {t('msg.retry')}
          </button>
        )}
        {retryUnknown && (
          <button
            type="button"
            className="link-btn"
            onClick={() => {
              if (window.confirm(t('msg.retryUnknownConfirm'))) onRetry(m);
            }}
          >
            <Icon name="refresh" size={14} /> {t('msg.retryUnknown')}
          </button>
        )}
        {local && m.status === 'failed' && (
          <button type="button" className="link-btn" onClick={() => onDiscard(m)}>
            {t('msg.discard')}
          </button>
        )}
      </div>
    </div>
  );
});
