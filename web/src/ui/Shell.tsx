import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import type { Me, Permission } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { useInboxContext } from '../state/store';
import { Account } from './Account';
import { HelpOverlay } from './HelpOverlay';
import { Inbox } from './Inbox';
import { Icon, type IconName } from './icons';
import { AvailabilitySelect } from './AvailabilitySelect';
import { LanguageSelect } from './LanguageSelect';
import { MentionsPage } from './Mentions';
import { CannedRepliesPage } from './CannedReplies';
import { onLinkClick, type Route } from './router';
import { NoticeSlot } from './Toasts';

const Admin = lazy(() => import('./admin/Admin'));
const Reports = lazy(() => import('./reports/Reports'));

interface NavItem {
  to: string;
  label: Key;
  icon: IconName;
  route: Route['name'];
  perm?: Permission;
}

const nav: NavItem[] = [
  { to: '/', label: 'nav.inbox', icon: 'inbox', route: 'inbox' },
  { to: '/mentions', label: 'nav.mentions', icon: 'bell', route: 'mentions' },
  { to: '/reports', label: 'nav.reports', icon: 'chart', route: 'reports', perm: 'reports.read' },
  { to: '/admin/users', label: 'nav.users', icon: 'users', route: 'users', perm: 'users.manage' },
  { to: '/admin/roles', label: 'nav.roles', icon: 'shield', route: 'roles', perm: 'roles.manage' },
  { to: '/admin/channels', label: 'nav.channels', icon: 'phone', route: 'channels', perm: 'channels.manage' },
  { to: '/admin/audit', label: 'nav.audit', icon: 'list', route: 'audit', perm: 'audit.read' },
  { to: '/admin/canned-replies', label: 'nav.canned', icon: 'reply', route: 'canned', perm: 'canned_replies.manage' },
  { to: '/admin/labels', label: 'nav.labels', icon: 'tag', route: 'labels', perm: 'labels.manage' },
  { to: '/account', label: 'nav.account', icon: 'gear', route: 'account' },
];

function ConnectionBanner() {
  const { t } = useI18n();
  const { connection } = useInboxContext();
  const [show, setShow] = useState(false);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (connection === 'open') {
      wasOpen.current = true;
      setShow(false);
      return;
    }
    // Short blips are not worth a banner; a first connection gets a little longer.
    const id = setTimeout(() => setShow(true), wasOpen.current ? 1500 : 4000);
    return () => clearTimeout(id);
  }, [connection]);
  if (!show) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="offline-banner">
      {t('banner.offline')}
    </div>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="empty-state page-pad" data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <a className="btn" href="/" onClick={(e) => onLinkClick(e, '/')}>
        {t('conv.toInbox')}
      </a>
    </div>
  );
}

export function Shell({ me, route, onLoggedOut }: { me: Me; route: Route; onLoggedOut: () => void }) {
  const { t } = useI18n();
  const { can } = useInboxContext();
  const [help, setHelp] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
      e.preventDefault();
      setHelp(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const logout = () => {
    api
      .logout()
      .catch(() => {})
      .finally(onLoggedOut);
  };

  const items = nav.filter((n) => !n.perm || can(n.perm));
  const inConversation = route.name === 'inbox' && route.id !== null;
  // A screen the role may not use is not found, typed address or not: the
  // same rule as the navigation, so nobody sees buttons the server refuses.
  const needs = nav.find((n) => n.route === route.name)?.perm;
  const routeName = needs && !can(needs) ? 'notfound' : route.name;

  let content;
  switch (routeName) {
    case 'inbox':
      content = <Inbox openId={route.name === 'inbox' ? route.id : null} />;
      break;
    case 'account':
      content = <Account me={me} onLoggedOut={onLoggedOut} />;
      break;
    case 'canned':
      content = <CannedRepliesPage />;
      break;
    case 'mentions':
      content = <MentionsPage />;
      break;
    case 'reports':
      if (!can('reports.read')) {
        content = <NotFound />;
        break;
      }
      content = (
        <Suspense fallback={<p className="page-pad">{t('common.loading')}</p>}>
          <Reports />
        </Suspense>
      );
      break;
    case 'users':
    case 'roles':
    case 'channels':
    case 'audit':
    case 'labels':
      content = (
        <Suspense fallback={<p className="page-pad">{t('common.loading')}</p>}>
          <Admin page={routeName} me={me} />
        </Suspense>
      );
      break;
    default:
      content = <NotFound />;
  }

  return (
    <div className={inConversation ? 'shell shell-in-conversation' : 'shell'}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <nav className="rail" aria-label={t('nav.main')}>
        <span className="brand-mark rail-brand" aria-hidden="true">
          S
        </span>
        <ul className="rail-links">
          {items.map((n) => {
            const current = n.route === route.name;
            return (
              <li key={n.to}>
                <a
                  href={n.to}
                  className={current ? 'rail-link current' : 'rail-link'}
                  aria-current={current ? 'page' : undefined}
                  onClick={(e) => onLinkClick(e, n.to)}
                >
                  <Icon name={n.icon} size={22} className="rail-icon" />
                  <span className="rail-label">{t(n.label)}</span>
                </a>
              </li>
            );
          })}
        </ul>
        <div className="rail-bottom">
          <button type="button" className="rail-link rail-desktop" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            <Icon name="keyboard" size={22} className="rail-icon" />
            <span className="rail-label">{t('nav.help')}</span>
          </button>
          <AvailabilitySelect />
          <LanguageSelect compact />
          <button type="button" className="rail-link rail-desktop" onClick={logout}>
            <Icon name="logout" size={22} className="rail-icon" />
            <span className="rail-label">{t('nav.logout')}</span>
          </button>
        </div>
      </nav>
      <div className="main-area">
        <ConnectionBanner />
        <NoticeSlot />
        <main id="main" className="main" tabIndex={-1}>
          {content}
        </main>
      </div>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
