// End-to-end flows against the real binary. Run: npm run e2e (builds
// ./cmd/switchboard with go, or set SWITCHBOARD_BIN to a prebuilt binary).
//
// Part 1 ("available now") needs only the API in internal/api today.
// Part 2 ("with customers") needs the WhatsApp webhook with the built-in
// emulator, multipart media sends, GET /api/v1/media/{id}, channels and
// templates; the privacy flows also need GET /api/v1/contacts/{id}/export
// and channels' retention_days. Each of its tests checks first that what it
// needs exists and skips with the reason otherwise; once the Go side lands
// they run as they are.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  solidPNG,
  emulatorAPI,
  launchBrowser,
  login,
  newContext,
  pageAPI,
  phone,
  shot,
  startServer,
  variants,
} from './harness.mjs';

const admin = { login: 'anna', name: 'Anna Admin', password: 'Kaffeemaschine-42' };
const operator = { login: 'olga', name: 'Olga Operator', password: 'Schreibtisch-Lampe-7' };
const employee = { login: 'emil', name: 'Emil Employee', password: 'Fahrradkette-Blau-3' };

// Outgoing webhooks may reach the test's own receiver on 127.0.0.1.
process.env.SWITCHBOARD_WEBHOOK_ALLOW_HOSTS = '127.0.0.1';

let srv;
let browser;
let adminState;
const stateOf = {};

const bogusConversation = '0123456789abcdef0123456789abcdef';

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  console.log(`# app at ${srv.base} (${srv.servedByBinary ? 'embedded in the binary' : 'web/dist through the e2e proxy: the binary does not embed it yet'}); emulator ${srv.emulator || `not running${srv.emulatorError ? ` (${srv.emulatorError})` : ''}`}`);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function contextAs(user, opts = {}) {
  const ctx = await newContext(browser, opts);
  const page = await ctx.newPage();
  if (stateOf[user.login]) {
    await ctx.addCookies(stateOf[user.login]);
    await page.goto(`${srv.base}/`);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  } else {
    await login(page, srv.base, user.login, user.password);
    stateOf[user.login] = await ctx.cookies();
  }
  return { ctx, page };
}

function assertNoProblems(ctx, what) {
  // A CSP violation or an uncaught error shows up as a console error.
  const bad = ctx.problems.filter((p) => !/status of 40[1349]|status of 429|Failed to load resource/.test(p));
  assert.deepEqual(bad, [], `${what}: console errors`);
}

describe('available now', () => {
  it('shows the setup page in four looks and refuses weak or mismatched passwords', async () => {
    for (const v of variants) {
      const ctx = await newContext(browser, { viewport: v.viewport, colorScheme: v.colorScheme });
      const page = await ctx.newPage();
      await page.goto(`${srv.base}/setup#token=${srv.token}`);
      await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
      await shot(page, `setup-${v.name}`);
      await ctx.close();
    }

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/setup#token=${srv.token}`);
    await page.getByLabel('Your name').fill(admin.name);
    await page.getByLabel('Login').fill(admin.login);
    // The fragment is cleared from the address bar once read.
    assert.equal(new URL(page.url()).hash, '');

    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByText('The password must be at least 10 characters.').waitFor();

    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat the password').fill(`${admin.password}x`);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByText('The two passwords differ.').waitFor();

    await page.getByLabel('Repeat the password').fill(admin.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.getByText('Choose a conversation on the left.').waitFor();
    stateOf[admin.login] = await ctx.cookies();
    adminState = stateOf[admin.login];
    assertNoProblems(ctx, 'setup');
    await ctx.close();
  });

  it('does not accept the setup link twice', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/setup#token=${srv.token}`);
    await page.getByText('Setup is already complete. Sign in instead.').waitFor();
    await ctx.close();
  });

  it('lets the administrator create an operator and an employee', async () => {
    const { ctx, page } = await contextAs(admin);
    await page.goto(`${srv.base}/admin/users`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();

    const create = async (u, role, firstPassword) => {
      await page.getByRole('button', { name: '+ New user' }).click();
      const dialog = page.getByRole('dialog', { name: 'New user' });
      await dialog.getByLabel('Login').fill(u.login);
      await dialog.getByLabel('Name').fill(u.name);
      await dialog.getByLabel('Role').selectOption({ label: role });
      await dialog.getByLabel('Initial password').fill(firstPassword ?? u.password);
      await dialog.getByRole('button', { name: 'Create' }).click();
      if (firstPassword) {
        await dialog.getByText('The password must be at least 10 characters.').waitFor();
        await dialog.getByLabel('Initial password').fill(u.password);
        await dialog.getByRole('button', { name: 'Create' }).click();
      }
      await page.getByRole('cell', { name: u.login, exact: true }).waitFor();
    };
    await create(operator, 'Chat operator', 'tooshort');
    await create(employee, 'Employee');
    assert.equal(await page.getByTestId('user-row').count(), 3);
    assertNoProblems(ctx, 'users');
    await ctx.close();
  });

  it('shows login errors and the throttling message with the seconds to wait', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/`);
    await page.getByLabel('Login', { exact: true }).fill(admin.login);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Login or password is wrong.').waitFor();
    await shot(page, 'login-error-desktop-light');

    // Lock out an account nobody uses, so the real ones stay usable.
    let throttled = false;
    for (let i = 0; i < 8 && !throttled; i++) {
      await page.getByLabel('Login', { exact: true }).fill('nobody');
      await page.getByLabel('Password', { exact: true }).fill(`wrong-${i}`);
      const [r] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/session')),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      // Judge by the response, not by what has rendered yet: the next click
      // on a button the lock has just disabled would send nothing.
      if (r.status() === 429) {
        await page.getByTestId('throttle').waitFor();
        throttled = true;
      }
    }
    assert.ok(throttled, 'no throttling message after 8 failed attempts');
    const text = await page.getByTestId('throttle').innerText();
    assert.match(text, /Too many failed sign-in attempts\. Try again in \d+ seconds\./);
    assert.ok(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), 'sign-in stays disabled while locked');
    await shot(page, 'login-throttled-desktop-light');
    await ctx.close();
  });

  it('gives the employee an inbox without assignment or administration controls', async () => {
    const { ctx, page } = await contextAs(employee);
    await page.goto(`${srv.base}/`);
    await page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Unassigned' }).count(), 0, 'assignment filters hidden');
    assert.equal(await page.getByRole('link', { name: /Users/ }).count(), 0, 'no Users link');
    assert.equal(await page.getByRole('link', { name: /Audit log/ }).count(), 0, 'no Audit link');
    // The status chips carry their counts in their names ("Open 1").
    await page.getByRole('group', { name: 'Conversation filters' }).getByRole('button', { name: /^Open\b/ }).waitFor();
    await shot(page, 'inbox-employee-desktop-light');
    assertNoProblems(ctx, 'employee inbox');
    await ctx.close();

    const op = await contextAs(operator);
    await op.page.goto(`${srv.base}/`);
    await op.page.getByRole('button', { name: 'Unassigned' }).waitFor();
    assert.equal(await op.page.getByRole('link', { name: /Users/ }).count(), 0, 'operator has no user management');
    await shot(op.page, 'inbox-operator-desktop-light');
    await op.ctx.close();
  });

  it('runs the administration screens: roles, channels, audit log with chain verification', async () => {
    const { ctx, page } = await contextAs(admin);
    await page.goto(`${srv.base}/admin/roles`);
    await page.getByRole('heading', { name: 'Chat operator' }).waitFor();
    assert.equal(await page.getByTestId('role-card').count(), 3);

    await page.getByRole('button', { name: '+ New role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    await dialog.getByLabel('Name').fill('Supervisor');
    await dialog.getByLabel('Description').fill('Reads everything, assigns, does not reply.');
    await dialog.getByRole('checkbox', { name: /See every conversation/ }).check();
    await dialog.getByRole('checkbox', { name: /Assign employees to conversations/ }).check();
    await dialog.getByRole('checkbox', { name: /See the list of users/ }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Supervisor' }).waitFor();
    assert.equal(await page.getByTestId('role-card').count(), 4);

    // "All channels" is explicit: limiting a role to no channel is refused,
    // not silently widened to every channel.
    await page.getByRole('button', { name: 'Edit role Supervisor' }).click();
    const edit = page.getByRole('dialog', { name: /Supervisor/ });
    await edit.getByRole('radio', { name: 'Only these channels:' }).check();
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await edit.getByText('A role needs at least one channel, or all channels.').waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // Built-in roles open read-only.
    await page.getByRole('button', { name: 'Details: role Administrator' }).click();
    await page.getByText('Built-in roles cannot be changed.', { exact: false }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();

    await page.goto(`${srv.base}/admin/channels`);
    await page.getByTestId('webhook-url').waitFor();
    assert.match(await page.getByTestId('webhook-url').innerText(), /^http:\/\/127\.0\.0\.1:\d+\/webhooks\/whatsapp$/);

    await page.goto(`${srv.base}/admin/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    assert.ok((await page.getByTestId('audit-row').count()) >= 5, 'setup, user and role actions are audited');
    await page.getByLabel('Action').selectOption('user.create');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('action=user.create')),
      page.getByRole('button', { name: 'Apply filters' }).click(),
    ]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-row]').length === 2);
    await page.getByTestId('verify-audit').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    assert.match(await result.innerText(), /The audit chain is intact: \d+ entries verified\./);
    await shot(page, 'audit-verified-desktop-light');
    assertNoProblems(ctx, 'admin screens');
    await ctx.close();
  });

  it('answers a conversation it cannot open with the 404 page', async () => {
    const { ctx, page } = await contextAs(employee);
    await page.goto(`${srv.base}/c/${bogusConversation}`);
    await page.getByText('This conversation does not exist or you do not have access to it.').waitFor();
    await ctx.close();
  });

  it('switches language, remembers it, and shows the keyboard help', async () => {
    const { ctx, page } = await contextAs(admin);
    await page.goto(`${srv.base}/account`);
    await page.getByRole('main').getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { name: 'Mein Konto' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: /Posteingang/ }).waitFor();
    await page.getByRole('main').getByLabel('Sprache').selectOption('en');
    await page.getByRole('link', { name: /Inbox/ }).click();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search');
    await ctx.close();
  });

  it('takes screenshots of every main screen: desktop and phone, light and dark', async () => {
    const screens = [
      ['inbox', '/'],
      ['users', '/admin/users'],
      ['roles', '/admin/roles'],
      ['channels', '/admin/channels'],
      ['audit', '/admin/audit'],
      ['account', '/account'],
      ['conversation-404', `/c/${bogusConversation}`],
    ];
    for (const v of variants) {
      const ctx = await newContext(browser, { viewport: v.viewport, colorScheme: v.colorScheme });
      await ctx.addCookies(adminState);
      const page = await ctx.newPage();
      for (const [name, path] of screens) {
        await page.goto(`${srv.base}${path}`);
        await page.getByRole('main').waitFor();
        await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
        await shot(page, `${name}-${v.name}`);
      }
      await page.goto(`${srv.base}/`);
      await page.getByRole('main').waitFor();
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await shot(page, `help-${v.name}`);
      assertNoProblems(ctx, `screens ${v.name}`);
      await ctx.close();

      const anon = await newContext(browser, { viewport: v.viewport, colorScheme: v.colorScheme });
      const lp = await anon.newPage();
      await lp.goto(`${srv.base}/`);
      await lp.getByRole('button', { name: 'Sign in' }).waitFor();
      await shot(lp, `login-${v.name}`);
      await anon.close();
    }
  });

  it('changes a password and logs out everywhere', async () => {
    // Two browsers of the operator: signing out everywhere in one ends the other.
    const a = await contextAs(operator);
    await a.page.goto(`${srv.base}/`);
    await a.page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();
    const b = await newContext(browser);
    const bp = await b.newPage();
    await login(bp, srv.base, operator.login, operator.password);
    await bp.goto(`${srv.base}/account`);
    await bp.getByRole('button', { name: 'Sign out everywhere' }).click();
    await bp.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    await bp.getByRole('button', { name: 'Sign in' }).waitFor();
    // The other browser learns it from its WebSocket closing (or its next call).
    await a.page.getByText('Your session has ended. Please sign in again.').waitFor({ timeout: 20_000 });
    delete stateOf[operator.login];

    // Changing the password: the old one stops working, the new one works.
    await login(bp, srv.base, operator.login, operator.password);
    await bp.goto(`${srv.base}/account`);
    const newPassword = `${operator.password}-neu`;
    await bp.getByLabel('Current password').fill(operator.password);
    await bp.getByLabel('New password', { exact: true }).fill('abc');
    await bp.getByLabel('Repeat the new password').fill('abc');
    await bp.getByRole('button', { name: 'Change password' }).click();
    await bp.getByText('The password must be at least 10 characters.').waitFor();
    await bp.getByLabel('New password', { exact: true }).fill(newPassword);
    await bp.getByLabel('Repeat the new password').fill(newPassword);
    await bp.getByRole('button', { name: 'Change password' }).click();
    await bp.getByRole('button', { name: 'Sign in' }).waitFor();
    operator.password = newPassword;
    await login(bp, srv.base, operator.login, operator.password);
    stateOf[operator.login] = await b.cookies();
    await a.ctx.close();
    await b.close();
  });
});

// ---------------------------------------------------------------------------

async function capabilities(page) {
  const channels = await pageAPI(page, 'GET', '/api/v1/channels');
  const media = await pageAPI(page, 'GET', `/api/v1/media/${bogusConversation}`);
  const templates = await pageAPI(page, 'GET', '/api/v1/templates?channel=x');
  const contactExport = await pageAPI(page, 'GET', `/api/v1/contacts/${bogusConversation}/export`);
  const missing = (r) => r.status === 404 && r.json?.error?.message === 'No such API endpoint.';
  return {
    emulator: !!srv.emulator,
    channels: !missing(channels) && channels.status < 500,
    channelList: channels.json?.items ?? [],
    media: !missing(media),
    templates: !missing(templates),
    contactExport: !missing(contactExport),
  };
}

const customer = { wa_id: '4915112345001', name: 'Greta Kunde' };
const customer2 = { wa_id: '4915112345002', name: 'Bernd Zweiter' };
const customer3 = { wa_id: '4915112345003', name: 'Clara Spät' };
const customer4 = { wa_id: '4915112345004', name: 'Dora Vergessen' };
const png = solidPNG(240, 160, [0x12, 0x8c, 0x7e]);

describe('with customers (needs the WhatsApp webhook, the emulator, media and templates in Go)', () => {
  let caps = null;
  let op;
  let emp;
  let convId = '';

  before(async () => {
    op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    caps = await capabilities(op.page);
    console.log(`# capabilities: ${JSON.stringify({ ...caps, channelList: caps.channelList.length })}`);
    emp = await contextAs(employee);
    // Desktop notifications: asked for through the button (the spy stands
    // in for the browser's permission prompt) and recorded.
    await emp.ctx.addInitScript(() => {
      window.__notes = [];
      class Spy {
        static permission = localStorage.getItem('e2e.notify') ?? 'default';
        static requestPermission() {
          Spy.permission = 'granted';
          localStorage.setItem('e2e.notify', 'granted');
          return Promise.resolve('granted');
        }
        constructor(title, opts) {
          window.__notes.push({ title, body: opts?.body ?? '' });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: Spy, configurable: true });
    });
  });

  after(async () => {
    await op?.ctx.close();
    await emp?.ctx.close();
  });

  const need = (t, ...what) => {
    const lacking = what.filter((w) => !caps?.[w]).map((w) => (w === 'emulator' && srv.emulatorError ? `emulator (${srv.emulatorError})` : w));
    if (lacking.length) {
      t.skip(`waiting on Go: ${lacking.join(', ')}`);
      return false;
    }
    return true;
  };

  it('operator sees a customer write in live, without reloading', async (t) => {
    if (!need(t, 'emulator')) return;
    await op.page.goto(`${srv.base}/`);
    await op.page.getByRole('button', { name: 'Unassigned' }).waitFor();
    const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...customer, text: 'Hallo, ist meine Bestellung unterwegs?' });
    assert.equal(r.status, 200, r.text);
    const row = op.page.getByTestId('conv-row').filter({ hasText: customer.name });
    await row.waitFor({ timeout: 15_000 });
    await row.getByText('Hallo, ist meine Bestellung unterwegs?').waitFor();
    assert.equal(await row.locator('.badge-unread').innerText(), '1');
    convId = (await row.getAttribute('data-id')) ?? '';
    await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...customer2, text: 'Guten Tag!' });
    await op.page.getByTestId('conv-row').filter({ hasText: customer2.name }).waitFor({ timeout: 15_000 });
    await shot(op.page, 'inbox-live-desktop-light');
  });

  it('operator searches by name and number and assigns the employee', async (t) => {
    if (!need(t, 'emulator') || !convId) return t.skip('no conversation from the previous step');
    const search = op.page.getByRole('searchbox', { name: 'Search by name or number' });
    await search.fill('Greta');
    await op.page.waitForFunction(() => document.querySelectorAll('[data-testid=conv-row]').length === 1);
    await search.fill('+49 151 12345002');
    await op.page.getByTestId('conv-row').filter({ hasText: customer2.name }).waitFor();
    await op.page.waitForFunction(() => document.querySelectorAll('[data-testid=conv-row]').length === 1);
    await search.fill('');

    // The employee watches their inbox while being assigned.
    await emp.page.goto(`${srv.base}/account`);
    await emp.page.getByRole('button', { name: /Enable desktop notifications/ }).click();
    await emp.page.getByText('Desktop notifications are on.').waitFor();
    await emp.page.goto(`${srv.base}/`);
    await emp.page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();

    const row = op.page.getByTestId('conv-row').filter({ hasText: customer.name });
    await row.hover();
    await row.getByRole('button', { name: `Assign: ${customer.name}` }).click();
    const dialog = op.page.getByRole('dialog', { name: new RegExp(`Assign people who can reply: ${customer.name}`) });
    await dialog.getByPlaceholder('Search people who can reply').fill('Emil');
    await dialog.getByRole('button', { name: `Assign ${employee.name}` }).click();
    await op.page.getByText(`${employee.name} assigned.`).waitFor();
    await dialog.getByRole('button', { name: `Remove ${employee.name}` }).first().waitFor();
    await shot(op.page, 'assign-desktop-light');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('employee gets a toast, a desktop notification and the count in the title', async (t) => {
    if (!need(t, 'emulator') || !convId) return t.skip('no conversation from the previous step');
    await emp.page.getByText('New conversation for you', { exact: false }).waitFor({ timeout: 10_000 });
    await emp.page.getByTestId('conv-row').filter({ hasText: customer.name }).waitFor();
    assert.match(await emp.page.title(), /^\(\d+\) Switchboard$/);
    const notes = await emp.page.evaluate(() => window.__notes);
    assert.ok(notes.some((n) => n.title === 'New conversation for you'), JSON.stringify(notes));
    await shot(emp.page, 'inbox-employee-assigned-desktop-light');
  });

  it('employee opens the conversation and replies with text and a file', async (t) => {
    if (!need(t, 'emulator', 'media') || !convId) return t.skip(caps?.media ? 'no conversation from the previous step' : 'waiting on Go: media');
    await emp.page.getByTestId('conv-row').filter({ hasText: customer.name }).click();
    await emp.page.getByTestId('message').getByText('Hallo, ist meine Bestellung unterwegs?').waitFor();
    assert.equal(await emp.page.title(), 'Switchboard');
    assert.equal(await emp.page.getByTestId('assign-button').count(), 0, 'employees cannot assign');
    await emp.page.keyboard.press('r');
    await emp.page.keyboard.type('Ja, sie kommt morgen an.');
    await emp.page.keyboard.press('Enter');
    const textBubble = emp.page.getByTestId('message').filter({ hasText: 'Ja, sie kommt morgen an.' });
    await textBubble.waitFor();
    await emp.page.getByTestId('file-input').setInputFiles({ name: 'lieferschein.png', mimeType: 'image/png', buffer: png });
    await emp.page.getByTestId('attachment').waitFor();
    await emp.page.getByLabel('Caption').fill('Ihr Lieferschein');
    await emp.page.keyboard.press('Enter');
    const imageBubble = emp.page.locator('[data-testid=message][data-type=image]').filter({ hasText: 'Ihr Lieferschein' });
    await imageBubble.waitFor();
    await emp.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=message][data-type=image]')].some((m) => m.getAttribute('data-status') !== 'pending' && m.getAttribute('data-status') !== 'failed'),
      null,
      { timeout: 20_000 },
    );
    // Exactly one bubble per message: the event and the response were merged.
    assert.equal(await textBubble.count(), 1);
    // The picture comes back through GET /api/v1/media/{id} (CSP img-src 'self').
    await emp.page.waitForFunction(
      () => [...document.querySelectorAll('[data-type=image] img')].some((i) => i.complete && i.naturalWidth === 240),
      null,
      { timeout: 15_000 },
    );
    assertNoProblems(emp.ctx, 'conversation');
  });

  it("the customer's phone receives both, and the ticks go to read", async (t) => {
    if (!need(t, 'emulator', 'media') || !convId) return t.skip('needs the previous step');
    let chat = [];
    for (let i = 0; i < 40; i++) {
      chat = (await emulatorAPI(srv.emulator, 'GET', `phone/${customer.wa_id}`)).json ?? [];
      if (chat.filter((m) => m.from_business).length >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const fromUs = chat.filter((m) => m.from_business);
    assert.ok(fromUs.some((m) => m.type === 'text' && m.text === 'Ja, sie kommt morgen an.'), JSON.stringify(fromUs));
    assert.ok(fromUs.some((m) => m.type === 'image' && m.caption === 'Ihr Lieferschein'), JSON.stringify(fromUs));
    await emulatorAPI(srv.emulator, 'POST', `phone/${customer.wa_id}/read`, {});
    await emp.page.waitForFunction(
      () => {
        const out = [...document.querySelectorAll('.msg-out[data-testid=message]')];
        return out.length >= 2 && out.every((m) => m.getAttribute('data-status') === 'read');
      },
      null,
      { timeout: 20_000 },
    );
    assert.ok((await emp.page.locator('.tick-read').count()) >= 2);
    await shot(emp.page, 'conversation-desktop-light');
    await emp.ctx.close();
    for (const v of variants.slice(1)) {
      const ctx = await newContext(browser, { viewport: v.viewport, colorScheme: v.colorScheme });
      await ctx.addCookies(stateOf[employee.login]);
      const page = await ctx.newPage();
      await page.goto(`${srv.base}/c/${convId}`);
      await page.getByTestId('message').first().waitFor();
      await shot(page, `conversation-${v.name}`);
      await ctx.close();
    }
    emp = await contextAs(employee);
  });

  it('employee gets the 404 page for a conversation not assigned to them', async (t) => {
    if (!need(t, 'emulator')) return;
    const list = await pageAPI(op.page, 'GET', `/api/v1/conversations?q=${encodeURIComponent(customer2.name)}`);
    const other = list.json?.items?.[0]?.id;
    assert.ok(other, 'second customer conversation');
    await emp.page.goto(`${srv.base}/c/${other}`);
    await emp.page.getByText('This conversation does not exist or you do not have access to it.').waitFor();
  });

  it('a closed 24-hour window disables free text and sends a template instead', async (t) => {
    if (!need(t, 'emulator', 'channels', 'templates')) return;
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...customer3, text: 'Alte Nachricht', timestamp: old });
    assert.equal(r.status, 200, r.text);
    const { ctx, page } = await contextAs(admin);
    await page.goto(`${srv.base}/admin/channels`);
    await page.getByTestId('channel-card').first().waitFor();
    await page.getByRole('button', { name: /Sync templates/ }).first().click();
    await page.getByText(/\d+ templates synced\./).waitFor();
    await shot(page, 'channels-live-desktop-light');
    await ctx.close();

    const row = op.page.getByTestId('conv-row').filter({ hasText: customer3.name });
    await op.page.goto(`${srv.base}/`);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await op.page.getByTestId('window-closed').waitFor();
    assert.equal(await op.page.locator('#composer-input').count(), 0, 'no free text when the window is closed');
    const picker = op.page.getByTestId('template-picker');
    await picker.waitFor();
    const options = await picker.getByLabel('Template').locator('option').allInnerTexts();
    assert.ok(options.length > 1, 'templates offered');
    await picker.getByLabel('Template').selectOption({ label: 'order_update (de)' });
    await picker.getByLabel('Value for {{1}}').fill('Clara');
    await picker.getByRole('button', { name: 'Send template' }).click();
    await picker.getByText('Fill in every value.').waitFor();
    await picker.getByLabel('Value for {{2}}').fill('#4711');
    await picker.getByText('Hallo Clara, Ihre Bestellung #4711 ist unterwegs.').waitFor();
    await shot(op.page, 'template-desktop-light');
    await picker.getByRole('button', { name: 'Send template' }).click();
    await op.page.locator('[data-testid=message][data-type=template]').waitFor();
    let chat = [];
    for (let i = 0; i < 40; i++) {
      chat = (await emulatorAPI(srv.emulator, 'GET', `phone/${customer3.wa_id}`)).json ?? [];
      if (chat.some((m) => m.from_business && m.type === 'template')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const bubble = op.page.locator('[data-testid=message][data-type=template]');
    const state = `${await bubble.getAttribute('data-status')} ${await bubble.innerText()}`;
    assert.ok(chat.some((m) => m.from_business && m.type === 'template'), `bubble: ${state}; phone: ${JSON.stringify(chat)}`);
    assert.ok(chat.some((m) => m.from_business && (m.text ?? '').includes('Hallo Clara, Ihre Bestellung #4711')), JSON.stringify(chat));
  });

  it('administrator sets a channel’s retention and it is still there after a reload', async (t) => {
    if (!need(t, 'emulator', 'channels')) return;
    const { ctx, page } = await contextAs(admin);
    try {
      const ch = (await pageAPI(page, 'GET', '/api/v1/channels')).json?.items?.[0];
      if (!ch) return t.skip('no channel');
      if (ch.retention_days === undefined) return t.skip('waiting on Go: channel retention_days');
      await page.goto(`${srv.base}/admin/channels`);
      const card = page.getByTestId('channel-card').filter({ hasText: ch.name });
      const shown = card.getByTestId('channel-retention');
      await shown.waitFor();
      assert.equal(await shown.innerText(), 'off (kept forever)');

      const edit = async () => {
        await card.getByRole('button', { name: 'Edit' }).click();
        const dialog = page.getByRole('dialog', { name: `Edit ${ch.name}` });
        return { dialog, field: dialog.getByLabel('Delete messages after (days)') };
      };
      const save = (dialog) =>
        Promise.all([
          page.waitForResponse((r) => r.url().endsWith(`/api/v1/channels/${ch.id}`) && r.request().method() === 'PATCH'),
          dialog.getByRole('button', { name: 'Save', exact: true }).click(),
        ]).then(([r]) => r);

      // Out of range: refused in the form, nothing is sent.
      let { dialog, field } = await edit();
      await field.fill('5000');
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
      await dialog.getByText('Enter a whole number of days from 0 to 3650.').waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');

      await field.fill('30');
      const r = await save(dialog);
      assert.equal(r.status(), 200);
      assert.equal(JSON.parse(r.request().postData() ?? '{}').retention_days, 30);
      await shown.filter({ hasText: '30 days' }).waitFor();
      await page.reload();
      await shown.filter({ hasText: '30 days' }).waitFor();
      await shot(page, 'channels-retention-desktop-light');
      ({ dialog, field } = await edit());
      assert.equal(await field.inputValue(), '30');
      await shot(page, 'channel-retention-dialog-desktop-light');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await pageAPI(page, 'GET', `/api/v1/channels/${ch.id}`)).json?.retention_days, 30);

      // The server holds the same limits (a problem answer, shown as sent).
      const bad = await pageAPI(page, 'PATCH', `/api/v1/channels/${ch.id}`, { retention_days: 3651 });
      assert.equal(bad.status, 400, JSON.stringify(bad.json));

      // Back to keep for ever (an empty field), so later flows keep their messages.
      ({ dialog, field } = await edit());
      await field.fill('');
      assert.equal((await save(dialog)).status(), 200);
      await shown.filter({ hasText: 'off (kept forever)' }).waitFor();
      assert.equal((await pageAPI(page, 'GET', `/api/v1/channels/${ch.id}`)).json?.retention_days, 0);
      assertNoProblems(ctx, 'channel retention');
    } finally {
      await ctx.close();
    }
  });

  it('phone layout: list and conversation one at a time', async (t) => {
    if (!need(t, 'emulator') || !convId) return t.skip('needs a conversation');
    const ctx = await newContext(browser, { viewport: phone, colorScheme: 'light' });
    await ctx.addCookies(stateOf[operator.login]);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/`);
    await page.getByTestId('conv-row').first().click();
    await page.getByRole('button', { name: 'Back to conversations' }).waitFor();
    assert.equal(await page.getByRole('searchbox').isVisible(), false);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await page.getByRole('searchbox').waitFor();
    await ctx.close();
  });

  it('operators and employees get no contact export or erasure (privacy.manage)', async (t) => {
    if (!need(t, 'emulator') || !convId) return t.skip('needs a conversation');
    for (const [who, page] of [
      ['operator', op.page],
      ['employee', emp.page],
    ]) {
      await page.goto(`${srv.base}/c/${convId}`);
      await page.getByRole('heading', { name: customer.name }).waitFor();
      const more = page.getByRole('button', { name: 'More actions' });
      if (who === 'operator') {
        // contacts.block gives the operator the menu, with blocking only.
        await more.click();
        await page.getByRole('menuitem', { name: 'Block customer' }).waitFor();
      } else {
        assert.equal(await more.count(), 0, `${who}: no contact menu`);
      }
      assert.equal(await page.getByRole('menuitem', { name: 'Export contact data' }).count(), 0, `${who}: no export`);
      assert.equal(await page.getByRole('menuitem', { name: 'Erase contact…' }).count(), 0, `${who}: no erasure`);
      if (who === 'operator') await page.keyboard.press('Escape');
    }
    // The server refuses them as well.
    const contactId = (await pageAPI(op.page, 'GET', `/api/v1/conversations/${convId}`)).json?.contact?.id;
    assert.ok(contactId, 'conversation has a contact id');
    if (caps.contactExport) assert.equal((await pageAPI(op.page, 'GET', `/api/v1/contacts/${contactId}/export`)).status, 403);
    assert.equal((await pageAPI(op.page, 'DELETE', `/api/v1/contacts/${contactId}`)).status, 403);
    assert.equal((await pageAPI(emp.page, 'DELETE', `/api/v1/contacts/${contactId}`)).status, 403);
  });

  describe('administrator exports and erases a contact', () => {
    let ctx;
    let page;
    let dora = '';

    before(async () => {
      if (!caps?.emulator) return;
      ({ ctx, page } = await contextAs(admin));
      const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...customer4, text: 'Bitte löschen Sie alle meine Daten.' });
      assert.equal(r.status, 200, r.text);
      await page.goto(`${srv.base}/`);
      const row = page.getByTestId('conv-row').filter({ hasText: customer4.name });
      await row.waitFor({ timeout: 15_000 });
      dora = (await row.getAttribute('data-id')) ?? '';
      await row.click();
      await page.getByTestId('message').getByText('Bitte löschen Sie alle meine Daten.').waitFor();
    });

    after(async () => {
      await ctx?.close();
    });

    it('exports everything stored about the contact as a ZIP', async (t) => {
      if (!need(t, 'emulator', 'contactExport')) return;
      if (!dora) return t.skip('needs a conversation');
      const contactId = (await pageAPI(page, 'GET', `/api/v1/conversations/${dora}`)).json?.contact?.id;
      await page.getByRole('button', { name: 'More actions' }).click();
      await page.getByRole('menu').waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 30_000 }),
        page.getByRole('menuitem', { name: 'Export contact data' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `switchboard-contact-${contactId}.zip`);
      const file = await download.path();
      const head = readFileSync(file).subarray(0, 2).toString('latin1');
      assert.equal(head, 'PK', 'the export is a ZIP archive');
      await page.getByText(`Downloaded switchboard-contact-${contactId}.zip.`).waitFor();
      assert.equal(await page.getByRole('menu').isVisible(), false, 'the menu closes');
      assertNoProblems(ctx, 'contact export');
    });

    it('erases the contact after the phone number is typed, and the conversation leaves the list', async (t) => {
      if (!need(t, 'emulator')) return;
      if (!dora) return t.skip('needs a conversation');
      await page.goto(`${srv.base}/c/${dora}`);
      await page.getByRole('heading', { name: customer4.name }).waitFor();
      await page.getByRole('button', { name: 'More actions' }).click();
      // The first item has the focus, so the keyboard can go on from there.
      await page.getByRole('menuitem', { name: 'Export contact data' }).and(page.locator(':focus')).waitFor();
      await shot(page, 'contact-menu-desktop-light');
      await page.keyboard.press('ArrowDown');
      await page.getByRole('menuitem', { name: 'Block customer' }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.getByRole('menuitem', { name: 'Erase contact…' }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'More actions' }).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: 'Erase contact…' }).click();
      const dialog = page.getByRole('dialog', { name: `Erase ${customer4.name} for good` });
      await dialog.getByText('This cannot be undone.', { exact: false }).waitFor();
      const confirm = dialog.getByRole('button', { name: 'Erase for good' });
      const number = dialog.getByLabel(/To confirm, type the contact’s phone number/);
      assert.ok(await confirm.isDisabled(), 'disabled before the number is typed');
      await number.fill('+49 151 12345001');
      assert.ok(await confirm.isDisabled(), 'another number does not count');
      await number.fill('+49 151 12345004');
      assert.ok(await confirm.isEnabled(), 'enabled once the number matches');
      await shot(page, 'contact-erase-desktop-light');

      // Cancel changes nothing.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await pageAPI(page, 'GET', `/api/v1/conversations/${dora}`)).status, 200);

      await page.getByRole('button', { name: 'More actions' }).click();
      await page.getByRole('menuitem', { name: 'Erase contact…' }).click();
      await dialog.getByLabel(/To confirm, type/).fill('4915112345004');
      const [r] = await Promise.all([
        page.waitForResponse((x) => x.request().method() === 'DELETE' && x.url().includes('/api/v1/contacts/')),
        dialog.getByRole('button', { name: 'Erase for good' }).click(),
      ]);
      assert.equal(r.status(), 200, await r.text());
      const body = await r.json();
      assert.equal(body.conversations, 1);
      assert.ok(body.messages >= 1, JSON.stringify(body));
      await page.getByText(`Contact erased. Conversations: 1, messages: ${body.messages}, files: ${body.media_files}.`).waitFor();
      await page.waitForURL(`${srv.base}/`);
      await page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();
      const row = page.getByTestId('conv-row').filter({ hasText: customer4.name });
      assert.equal(await row.count(), 0, 'gone from the list at once');
      await page.reload();
      await page.getByTestId('conv-row').first().waitFor();
      assert.equal(await row.count(), 0, 'and after a reload');
      assert.equal((await pageAPI(page, 'GET', `/api/v1/conversations/${dora}`)).status, 404);
      if (caps.contactExport) assert.equal((await pageAPI(page, 'GET', `/api/v1/contacts/${body.contact_id}/export`)).status, 404);
      assertNoProblems(ctx, 'contact erasure');
    });
  });
});

// ---------------------------------------------------------------------------
// Issue 13: the inbox in a day's real use. Each flow reproduces one defect.

describe('a day of real use (issue 13)', () => {
  const hanna = { wa_id: '4917790013001', name: 'Hanna Notiz' };
  const ida = { wa_id: '4917790013002', name: 'Ida Notiz' };
  const jonas = { wa_id: '4917790013003', name: 'Jonas Notiz' };
  const desktop13 = { width: 1440, height: 900 };
  const phone13 = { width: 390, height: 844 };
  let ready = false;

  /** as opens a fresh browser context signed in as user; clock: install Playwright's clock first (timers we control). */
  async function as(user, { viewport = desktop13, clock = false, path = '/' } = {}) {
    const ctx = await newContext(browser, { viewport });
    const page = await ctx.newPage();
    if (clock) await page.clock.install();
    if (stateOf[user.login]) {
      await ctx.addCookies(stateOf[user.login]);
    } else {
      await login(page, srv.base, user.login, user.password);
      stateOf[user.login] = await ctx.cookies();
    }
    await page.goto(`${srv.base}${path}`);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    return { ctx, page };
  }

  const write = async (c, text) => {
    const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...c, text });
    assert.equal(r.status, 200, r.text);
  };
  const rowOf = (page, c) => page.getByTestId('conv-row').filter({ hasText: c.name });
  /** idOf finds a customer's conversation through the search API: its row may lie beyond what the list renders. */
  const idOf = async (page, c) => {
    const r = await pageAPI(page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(c.name)}`);
    const id = r.json?.items?.find((x) => x.contact?.name === c.name)?.id;
    assert.ok(id, `no conversation of ${c.name}: ${JSON.stringify(r.json)}`);
    return id;
  };

  /** uncovered lists the visible controls whose centre is not theirs: something lies over them. */
  const covered = (page) =>
    page.evaluate(() => {
      const out = [];
      for (const el of document.querySelectorAll('button, a[href], input, select, textarea')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || el.closest('[data-testid=notices]')) continue;
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
        const top = document.elementFromPoint(x, y);
        if (top && !el.contains(top) && top.closest('[data-testid=notices]')) out.push(el.getAttribute('aria-label') || el.textContent?.trim() || el.tagName);
      }
      return out;
    });

  before(async () => {
    if (!srv.emulator) return;
    // The conversations the flows below use: three customers, unassigned.
    const { ctx, page } = await as(operator);
    for (const c of [hanna, ida, jonas]) await write(c, `Guten Morgen von ${c.name}`);
    for (const c of [hanna, ida, jonas]) await rowOf(page, c).waitFor({ timeout: 15_000 });
    await ctx.close();
    ready = true;
  });

  const needReady = (t) => {
    if (!ready) t.skip(srv.emulatorError ? `emulator (${srv.emulatorError})` : 'no emulator');
    return ready;
  };

  it('issue 13: notices sit where no control is, group by chat, pause on hover, close at once, skip the open chat and follow the setting', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator, { clock: true });
    try {
      const hannaId = await idOf(page, hanna);
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      const notices = page.getByTestId('notice');

      // A message in the open chat: no notice. Two in another: one notice, counted.
      await write(hanna, 'Ich schreibe im offenen Chat');
      await page.getByTestId('message').getByText('Ich schreibe im offenen Chat').waitFor();
      await write(ida, 'Erste Frage');
      await notices.filter({ hasText: 'Ida Notiz' }).waitFor();
      await write(ida, 'Zweite Frage');
      await notices.filter({ hasText: 'Zweite Frage' }).waitFor();
      await write(jonas, 'Auch eine Frage');
      await notices.filter({ hasText: 'Jonas Notiz' }).waitFor();
      assert.equal(await notices.filter({ hasText: 'Ida Notiz' }).count(), 1, 'one notice per chat');
      assert.match(await notices.filter({ hasText: 'Ida Notiz' }).innerText(), /\(2\)/);
      assert.equal(await notices.filter({ hasText: 'Hanna Notiz' }).count(), 0, 'no notice for the open chat');

      // Nothing clickable lies under a notice: the header's Assign and Close, the list, the search.
      assert.deepEqual(await covered(page), []);
      await page.getByTestId('assign-button').click({ trial: true, timeout: 2000 });
      await shot(page, 'notices-desktop-1440x900');

      // Hovering holds them; leaving lets them go.
      await notices.first().hover();
      await page.clock.fastForward(20_000);
      assert.equal(await notices.count(), 2, 'kept while hovered');
      await page.mouse.move(700, 600);
      await page.clock.fastForward(7_000);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=notice]').length === 0);

      // Closed at once.
      await write(jonas, 'Noch eine Frage');
      await notices.filter({ hasText: 'Noch eine Frage' }).waitFor();
      await notices.filter({ hasText: 'Noch eine Frage' }).getByRole('button', { name: 'Close' }).click();
      assert.equal(await notices.count(), 0);

      // Opening a chat takes its notice away.
      await write(ida, 'Dritte Frage');
      await notices.filter({ hasText: 'Dritte Frage' }).waitFor();
      await rowOf(page, ida).getByRole('link').click();
      await page.getByRole('heading', { name: ida.name }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=notice]').length === 0);

      // The setting: none silences customer messages.
      await page.goto(`${srv.base}/account`);
      await page.getByLabel('Notices for customer messages').selectOption('none');
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      await write(jonas, 'Niemand wird benachrichtigt');
      await rowOf(page, jonas).getByText('Niemand wird benachrichtigt').waitFor({ timeout: 15_000 });
      assert.equal(await notices.count(), 0, 'setting none');
      // "mine" (the default) leaves out a chat assigned to someone else; "all" includes it.
      const users = await pageAPI(page, 'GET', `/api/v1/users?q=${employee.login}`);
      const emil = users.json?.items?.find((u) => u.login === employee.login);
      assert.ok(emil, `the employee exists: ${JSON.stringify(users)}`);
      const jonasId = await idOf(page, jonas);
      assert.equal((await pageAPI(page, 'PUT', `/api/v1/conversations/${jonasId}/assignees/${emil.id}`)).status, 200);
      await page.goto(`${srv.base}/account`);
      await page.getByLabel('Notices for customer messages').selectOption('mine');
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      await write(jonas, 'Für Emil, nicht für Olga');
      await rowOf(page, jonas).getByText('Für Emil, nicht für Olga').waitFor({ timeout: 15_000 });
      assert.equal(await notices.count(), 0, 'setting mine: not for a chat of someone else');
      await page.goto(`${srv.base}/account`);
      await page.getByLabel('Notices for customer messages').selectOption('all');
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      await write(jonas, 'Jetzt für alle');
      await notices.filter({ hasText: 'Jetzt für alle' }).waitFor();
      await page.goto(`${srv.base}/account`);
      await page.getByLabel('Notices for customer messages').selectOption('mine');
      assertNoProblems(ctx, 'notices');
    } finally {
      await ctx.close();
    }

    // The phone: the notice pushes the header down instead of covering Back.
    const ph = await as(operator, { viewport: phone13 });
    try {
      const hannaId = await idOf(ph.page, hanna);
      await ph.page.goto(`${srv.base}/c/${hannaId}`);
      await ph.page.getByRole('heading', { name: hanna.name }).waitFor();
      await write(ida, 'Vom Telefon aus gesehen');
      await ph.page.getByTestId('notice').filter({ hasText: 'Vom Telefon aus gesehen' }).waitFor();
      assert.deepEqual(await covered(ph.page), []);
      await ph.page.getByRole('button', { name: 'Back to conversations' }).click({ trial: true, timeout: 2000 });
      await shot(ph.page, 'notices-phone-390x844');
    } finally {
      await ph.ctx.close();
    }
  });

  it('issue 13: a live update does not add a chat that the active search does not match', async (t) => {
    if (!needReady(t)) return;
    const chip2 = { wa_id: '4917790013021', name: 'Chipcount 2' };
    const chip7 = { wa_id: '4917790013027', name: 'Chipcount 7' };
    await write(chip2, 'Ich bin die Zwei');
    await write(chip7, 'Ich bin die Sieben');
    const { ctx, page } = await as(operator);
    try {
      await rowOf(page, chip7).waitFor({ timeout: 15_000 });
      await page.getByRole('searchbox', { name: 'Search by name or number' }).fill('Chipcount 2');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=conv-row]').length === 1);
      await rowOf(page, chip2).waitFor();
      // Seven writes (its number holds a 2), then Two: once Two's row shows
      // its new message, Seven's event has been applied as well.
      await write(chip7, 'Ich störe die Suche');
      await write(chip2, 'Danach schreibt die Zwei');
      await rowOf(page, chip2).getByText('Danach schreibt die Zwei').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('conv-row').count(), 1, 'only the matching chat is listed');
      assert.equal(await rowOf(page, chip7).count(), 0);
    } finally {
      await ctx.close();
    }
  });
  it('issue 13: the keyboard opens a chat into its composer, Esc goes back to the list, dialogs give the focus back, sign-in starts in the login field', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
    try {
      const hannaId = await idOf(page, hanna);
      await page.keyboard.press('/');
      await page.keyboard.type('Hanna Notiz');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=conv-row]').length === 1);
      await page.keyboard.press('Enter'); // from the search box to the first row
      await page.waitForFunction((id) => document.activeElement?.id === id, `row-${hannaId}`);
      await page.keyboard.press('Enter');
      await page.keyboard.type('Reply typed from the keyboard');
      const composer = page.locator('#composer-input');
      assert.equal(await composer.inputValue(), 'Reply typed from the keyboard', 'every letter went into the composer');
      assert.equal(await page.getByRole('dialog').count(), 0, 'no shortcut ran');
      await composer.fill('');

      await page.keyboard.press('Escape');
      assert.equal(await focusedId(), `row-${hannaId}`, 'Esc in the composer returns to the list');

      // The assign dialog, from the keyboard and from its button, gives the focus back.
      await page.keyboard.press('a');
      await page.getByRole('dialog', { name: /Assign people who can reply/ }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.waitForFunction((id) => document.activeElement?.id === id, `row-${hannaId}`);
      await page.getByTestId('assign-button').click();
      await page.getByRole('dialog', { name: /Assign people who can reply/ }).getByRole('button', { name: 'Close' }).first().click();
      await page.getByTestId('assign-button').and(page.locator(':focus')).waitFor();
    } finally {
      await ctx.close();
    }

    const anon = await newContext(browser);
    try {
      const lp = await anon.newPage();
      await lp.goto(`${srv.base}/`);
      await lp.getByRole('button', { name: 'Sign in' }).waitFor();
      await lp.getByLabel('Login', { exact: true }).and(lp.locator(':focus')).waitFor();
    } finally {
      await anon.close();
    }
  });

  it('issue 13: the keyboard help says "j or ↓", not the chord "j + ↓"', async () => {
    const { ctx, page } = await as(operator);
    try {
      await page.getByRole('searchbox').waitFor();
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      const row = (label) => help.getByRole('row').filter({ hasText: label }).first().getByRole('cell').first();
      assert.equal((await row('Next conversation').innerText()).replace(/\s+/g, ' ').trim(), 'j or ↓');
      assert.equal((await row('New line in a message').innerText()).replace(/\s+/g, ' ').trim(), 'Shift + Enter');
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: deactivating a user and signing out everywhere ask first', async () => {
    const { ctx, page } = await as(admin);
    try {
      const made = await pageAPI(page, 'POST', '/api/v1/users', { login: 'tilda13', name: 'Tilda Temp', role_id: 'employee', password: 'Tintenfass-Gruen-13' });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      await page.goto(`${srv.base}/admin/users`);
      await page.getByRole('button', { name: 'Edit tilda13' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit tilda13' });
      await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
      await dialog.getByText('Deactivate tilda13? They are signed out at once').waitFor();
      await dialog.getByRole('group', { name: 'Deactivate' }).getByRole('button', { name: 'Cancel' }).click();
      assert.equal((await pageAPI(page, 'GET', `/api/v1/users/${made.json.id}`)).json?.active, true, 'Cancel changes nothing');
      // Tilda has a chat (when the emulator runs): the confirmation asks what becomes of it.
      const hannaId = ready ? await idOf(page, hanna) : '';
      if (hannaId) assert.equal((await pageAPI(page, 'PUT', `/api/v1/conversations/${hannaId}/assignees/${made.json.id}`)).status, 200);
      await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
      const chats = dialog.getByRole('group', { name: 'Their conversations' });
      assert.equal(await chats.getByRole('radio', { name: /Keep them assigned/ }).isChecked(), true, 'keeping them is the default');
      await chats.getByRole('radio', { name: 'Unassign them from all their conversations' }).check();
      await dialog.getByRole('button', { name: 'Yes, deactivate tilda13' }).click();
      await page.getByText('tilda13', { exact: false }).first().waitFor();
      await page.waitForFunction(async (id) => (await (await fetch(`/api/v1/users/${id}`)).json()).active === false, made.json.id);
      if (hannaId) {
        const conv = await pageAPI(page, 'GET', `/api/v1/conversations/${hannaId}`);
        assert.ok(!(conv.json.assignees ?? []).some((a) => a.id === made.json.id), `Tilda is still assigned: ${JSON.stringify(conv.json.assignees)}`);
      }

      await page.goto(`${srv.base}/account`);
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByText('Sign out on every device, this one included?').waitFor();
      await page.getByRole('group', { name: 'Sign out everywhere' }).getByRole('button', { name: 'Cancel' }).click();
      await page.reload();
      await page.getByRole('heading', { name: 'My account' }).waitFor();
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: My account switches between light, dark and the system theme', async () => {
    const { ctx, page } = await as(operator, { path: '/account' });
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    try {
      await page.emulateMedia({ colorScheme: 'light' });
      const theme = page.getByLabel('Theme');
      await theme.waitFor();
      const light = await bg();
      await theme.selectOption('dark');
      await page.waitForFunction((l) => getComputedStyle(document.body).backgroundColor !== l, light);
      const dark = await bg();
      await page.reload();
      await page.getByLabel('Theme').waitFor();
      assert.equal(await bg(), dark, 'kept after a reload');
      // Light wins over a dark system too.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.getByLabel('Theme').selectOption('light');
      await page.waitForFunction((l) => getComputedStyle(document.body).backgroundColor === l, light);
      await page.getByLabel('Theme').selectOption('system');
      await page.waitForFunction((d) => getComputedStyle(document.body).backgroundColor === d, dark);
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: each chat keeps its unsent text, and a reply sent after the session ended is still there after signing in again', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      // The event stream keeps going but does not pass on the server's
      // close, so it is the Send that finds the session gone.
      await page.routeWebSocket(/\/api\/v1\/events/, (ws) => {
        const server = ws.connectToServer();
        server.onClose(() => {});
      });
      await page.reload();
      const hannaId = await idOf(page, hanna);
      const idaId = await idOf(page, ida);
      const composer = page.locator('#composer-input');
      const openChat = async (id, c) => {
        await rowOf(page, c).getByRole('link').click();
        await page.getByRole('heading', { name: c.name }).waitFor();
        await page.waitForURL(`${srv.base}/c/${id}`);
      };
      await openChat(hannaId, hanna);
      await composer.fill('Entwurf für Hanna');
      await openChat(idaId, ida);
      assert.equal(await composer.inputValue(), '');
      await composer.fill('Entwurf für Ida');
      await openChat(hannaId, hanna);
      assert.equal(await composer.inputValue(), 'Entwurf für Hanna');
      await openChat(idaId, ida);
      assert.equal(await composer.inputValue(), 'Entwurf für Ida');

      // The session ends elsewhere; Send then must not lose the reply.
      // The composer saves its draft on the server shortly after typing
      // stops: wait for that save, so that the Send below, and not a late
      // draft save, is what finds the session gone.
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PUT' && /\/draft$/.test(r.url()) &&
          (r.request().postData() ?? '').includes('Antwort nach dem Ablauf der Sitzung')),
        composer.fill('Antwort nach dem Ablauf der Sitzung'),
      ]);
      const other = await newContext(browser);
      const op2 = await other.newPage();
      await login(op2, srv.base, operator.login, operator.password);
      assert.equal((await pageAPI(op2, 'DELETE', '/api/v1/sessions')).status, 204);
      await other.close();
      const [sent] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && /\/messages$/.test(r.url())),
        composer.press('Enter'),
      ]);
      assert.equal(sent.status(), 401);
      await page.getByText('Your session has ended. Please sign in again.').waitFor({ timeout: 20_000 });
      await page.getByLabel('Login', { exact: true }).fill(operator.login);
      await page.getByLabel('Password', { exact: true }).fill(operator.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: ida.name }).waitFor();
      stateOf[operator.login] = await ctx.cookies();
      assert.equal(await composer.inputValue(), 'Antwort nach dem Ablauf der Sitzung');
      await composer.fill('');
      await openChat(hannaId, hanna);
      await composer.fill('');
    } finally {
      await ctx.close();
    }
  });
  it('issue 13: a chat opened from its address (bookmark, reload) is read', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      const idaId = await idOf(page, ida);
      await write(ida, 'Ungelesen, bis jemand hinsieht');
      await rowOf(page, ida).locator('.badge-unread').waitFor();
      await page.goto(`${srv.base}/c/${idaId}`);
      await page.getByTestId('message').getByText('Ungelesen, bis jemand hinsieht').waitFor();
      await rowOf(page, ida).getByText('Ungelesen, bis jemand hinsieht').waitFor();
      assert.equal(await rowOf(page, ida).locator('.badge-unread').count(), 0, 'no unread badge on the open chat');
      await page.reload();
      await rowOf(page, ida).waitFor();
      assert.equal(await rowOf(page, ida).locator('.badge-unread').count(), 0, 'and none after a reload');
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: an employee who types an administration address gets the not-found page, not the screen', async () => {
    const { ctx, page } = await as(employee);
    try {
      for (const path of ['/admin/users', '/admin/roles', '/admin/channels', '/admin/audit']) {
        await page.goto(`${srv.base}${path}`);
        await page.getByTestId('not-found').waitFor();
        assert.equal(await page.getByRole('button', { name: /New user|New role|Verify|Sync templates|Apply filters/ }).count(), 0, `${path}: no admin controls`);
        assert.equal(await page.getByTestId('webhook-url').count(), 0, `${path}: no channel setup`);
      }
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: text fields use at least 16 px on a phone, so iOS does not zoom', async () => {
    const { ctx, page } = await as(operator, { viewport: phone13 });
    try {
      const sizes = async () =>
        page.evaluate(() =>
          [...document.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select')]
            .filter((el) => el.getBoundingClientRect().width > 0)
            .map((el) => [el.getAttribute('aria-label') || el.id || el.getAttribute('name') || el.tagName, parseFloat(getComputedStyle(el).fontSize)]),
        );
      const small = [];
      const hannaId = await idOf(page, hanna);
      for (const path of ['/', `/c/${hannaId}`, '/account']) {
        await page.goto(`${srv.base}${path}`);
        await page.getByRole('main').waitFor();
        if (path !== '/account') await page.getByRole('searchbox').or(page.locator('#composer-input')).first().waitFor();
        small.push(...(await sizes()).filter(([, px]) => px < 16).map(([n, px]) => `${path} ${n}: ${px}px`));
      }
      const anon = await newContext(browser, { viewport: phone13 });
      const lp = await anon.newPage();
      await lp.goto(`${srv.base}/login`);
      await lp.getByRole('button', { name: 'Sign in' }).waitFor();
      small.push(
        ...(await lp.evaluate(() => [...document.querySelectorAll('input, select')].map((el) => [el.getAttribute('name') || el.tagName, parseFloat(getComputedStyle(el).fontSize)])))
          .filter(([, px]) => px < 16)
          .map(([n, px]) => `/login ${n}: ${px}px`),
      );
      await anon.close();
      assert.deepEqual(small, []);
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: the filter counts follow live changes and stay after the second page', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      const chip = (name) => page.getByRole('group', { name: 'Conversation filters' }).getByRole('button', { name: new RegExp(`^${name}\\b`) });
      const count = async (name) => Number((await chip(name).locator('.chip-count').innerText()).trim());
      await chip('All').locator('.chip-count').waitFor();
      const all = await count('All');
      const unassigned = await count('Unassigned');
      await write({ wa_id: '4917790013040', name: 'Kira Zaehler' }, 'Ich bin neu hier');
      await rowOf(page, { name: 'Kira Zaehler' }).waitFor({ timeout: 15_000 });
      await page.waitForFunction(
        ([want]) => [...document.querySelectorAll('.chip')].some((c) => c.textContent?.startsWith('All') && c.querySelector('.chip-count')?.textContent === String(want)),
        [all + 1],
      );
      assert.equal(await count('Unassigned'), unassigned + 1);

      // More than one page (50): the counts stay once the next page loads.
      const total = all + 1;
      for (let i = total; i <= 53; i++) await write({ wa_id: `49177900131${String(i).padStart(2, '0')}`, name: `Seite Zwei ${i}` }, 'Noch einer');
      // The counts follow live: wait until every new chat is in, then start over.
      await page.waitForFunction(
        () => [...document.querySelectorAll('.chip')].some((c) => c.textContent?.startsWith('All') && Number(c.querySelector('.chip-count')?.textContent) >= 53),
        null,
        { timeout: 30_000 },
      );
      await page.reload();
      await chip('All').locator('.chip-count').waitFor();
      await page.getByTestId('conv-row').first().waitFor();
      const [second] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/conversations?') && r.url().includes('cursor=')),
        page.locator('.conv-list').evaluate((el) => el.scrollTo(0, el.scrollHeight)),
      ]);
      assert.equal(second.status(), 200);
      await page.locator('.list-loading').waitFor({ state: 'detached' });
      assert.ok((await count('All')) >= 53, 'counts still shown after the second page');
    } finally {
      await ctx.close();
    }
  });

  it('issue 15: snooze and wake-up: a chat snoozed until the customer replies, or until tomorrow, opens again when the customer writes', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      const cust = { wa_id: '4917790015001', name: 'Sina Schlummer' };
      await write(cust, 'Ich melde mich später');
      await rowOf(page, { name: cust.name }).click();
      const banner = page.getByTestId('status-banner');
      const lines = page.getByTestId('activity-line');

      // Until the customer replies: the banner says so, an activity line records it.
      await page.getByTestId('status-choice').selectOption('reply');
      await page.getByTestId('status-apply').click();
      await banner.filter({ hasText: 'Snoozed until the customer writes.' }).waitFor();
      await lines.filter({ hasText: 'Olga Operator snoozed the conversation until the customer writes' }).waitFor();
      await write(cust, 'Ich bin wieder da');
      await banner.waitFor({ state: 'detached', timeout: 15_000 });

      // Until tomorrow (09:00 in the browser's zone): shown with its time;
      // the customer's next message opens it too.
      await page.getByTestId('status-choice').selectOption('tomorrow');
      await page.getByTestId('status-apply').click();
      await banner.filter({ hasText: /^Snoozed until .+, or until the customer writes\.$/ }).waitFor();
      await lines.filter({ hasText: /Olga Operator snoozed the conversation until \d/ }).waitFor();
      const conv = await pageAPI(page, 'GET', `/api/v1/conversations/${page.url().split('/c/')[1]}`);
      assert.equal(conv.json.status, 'snoozed');
      assert.ok(new Date(conv.json.snoozed_until) > new Date(), conv.json.snoozed_until);
      await write(cust, 'Doch schon heute');
      await banner.waitFor({ state: 'detached', timeout: 15_000 });

      // Waiting for the customer, then resolved; a resolved chat only opens again.
      await page.getByTestId('status-choice').selectOption('pending');
      await page.getByTestId('status-apply').click();
      await banner.filter({ hasText: 'Waiting for the customer.' }).waitFor();
      await page.getByRole('button', { name: 'Resolve', exact: true }).click();
      await banner.filter({ hasText: 'This conversation is resolved.' }).waitFor();
      await lines.filter({ hasText: 'Olga Operator resolved the conversation' }).waitFor();
      assert.equal(await page.getByTestId('status-form').count(), 0);
      await page.getByRole('button', { name: 'Reopen', exact: true }).click();
      await banner.waitFor({ state: 'detached' });
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: a file the server would refuse is refused when picked, by the table the API serves', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      const table = await pageAPI(page, 'GET', '/api/v1/media/limits');
      assert.equal(table.status, 200);
      const image = table.json.items.find((l) => l.kind === 'image');
      assert.deepEqual(image.mime_types, ['image/jpeg', 'image/png']);
      const hannaId = await idOf(page, hanna);
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      const picker = page.getByTestId('file-input');
      await picker.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ fake program') });
      await page.getByRole('alert').filter({ hasText: '“setup.exe” cannot be sent' }).waitFor();
      assert.equal(await page.getByTestId('attachment').count(), 0, 'not attached');
      await picker.setInputFiles({ name: 'riesig.png', mimeType: 'image/png', buffer: Buffer.alloc(image.max_bytes + 1) });
      await page.getByRole('alert').filter({ hasText: '“riesig.png” is too large' }).waitFor();
      assert.equal(await page.getByTestId('attachment').count(), 0, 'not attached');
      await picker.setInputFiles({ name: 'Rechnung.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 fake') });
      await page.getByTestId('attachment').filter({ hasText: 'Rechnung.pdf' }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0);
      assert.match((await picker.getAttribute('accept')) ?? '', /application\/pdf/);
      await page.getByTestId('attachment').getByRole('button').click();
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: the emulator page hides the reply bar unless replying, shows the running customers and attaches any file; sign-in logs no error', async (t) => {
    if (!needReady(t)) return;
    // The sign-in page: not being signed in is the expected answer, not a console error.
    const anon = await newContext(browser);
    try {
      const lp = await anon.newPage();
      await lp.goto(`${srv.base}/`);
      await lp.getByRole('button', { name: 'Sign in' }).waitFor();
      await lp.waitForLoadState('networkidle');
      assert.deepEqual(anon.problems, [], 'no console error on the sign-in page');
    } finally {
      await anon.close();
    }

    const started = await emulatorAPI(srv.emulator, 'POST', 'customers/start', { rate: 0.2, n: 3 });
    assert.equal(started.status, 200, started.text);
    const ctx = await newContext(browser);
    try {
      const page = await ctx.newPage();
      await page.goto(`${srv.emulator}/emulator/`);
      await page.waitForFunction(() => document.getElementById('vc-rate')?.value === '0.2' && document.getElementById('vc-n')?.value === '3');
      await emulatorAPI(srv.emulator, 'POST', 'customers/stop', {});

      await page.locator('#waid').fill(hanna.wa_id);
      await page.locator('#name').fill(hanna.name);
      await page.locator('#waid').dispatchEvent('change');
      const reply = page.locator('#chat').getByRole('button', { name: 'Reply' }).first();
      await reply.waitFor();
      assert.equal(await page.locator('#replying').isVisible(), false, 'no reply bar before Reply');
      await reply.click();
      await page.locator('#replying').waitFor();
      await page.getByRole('button', { name: 'cancel' }).click();
      await page.locator('#replying').waitFor({ state: 'hidden' });

      await page.locator('#file').setInputFiles({ name: 'Lieferschein.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 Lieferschein') });
      await page.locator('#text').fill('Hier das PDF');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('#chat').getByText('Lieferschein.pdf', { exact: false }).waitFor();
      assert.equal(await page.locator('#error').innerText(), '');
    } finally {
      await ctx.close();
    }
    // The business receives it as a document.
    const op = await as(operator);
    try {
      const id = await idOf(op.page, hanna);
      await op.page.goto(`${srv.base}/c/${id}`);
      await op.page.locator('[data-testid=message][data-type=document]').filter({ hasText: 'Lieferschein.pdf' }).waitFor({ timeout: 15_000 });
      const msgs = (await pageAPI(op.page, 'GET', `/api/v1/conversations/${id}/messages?limit=5`)).json?.items ?? [];
      const doc = msgs.find((m) => m.type === 'document');
      assert.ok(doc, 'a document message arrived');
      assert.equal(doc.content?.media?.filename, 'Lieferschein.pdf');
    } finally {
      await op.ctx.close();
    }
  });

  it('issue 13: a chat with pictures opens at the newest message', async (t) => {
    if (!needReady(t)) return;
    const mia = { wa_id: '4917790013060', name: 'Mia Fotos' };
    for (let i = 0; i < 12; i++) await write(mia, `Nachricht ${i + 1} vor den Bildern`);
    for (let i = 0; i < 4; i++) {
      const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', {
        ...mia,
        type: 'image',
        media: solidPNG(240, 320, [0x20, 0x40 + i * 30, 0x80]).toString('base64'),
        mime_type: 'image/png',
        text: `Bild ${i + 1}`,
      });
      assert.equal(r.status, 200, r.text);
    }
    await write(mia, 'Das letzte Wort');
    const { ctx, page } = await as(operator);
    try {
      const id = await idOf(page, mia);
      // Every message stored and every picture fetched from WhatsApp before the chat is opened.
      await page.waitForFunction(
        async (cid) => {
          const r = await fetch(`/api/v1/conversations/${cid}/messages?limit=50`);
          const items = (await r.json()).items ?? [];
          return items.filter((m) => m.type === 'image' && m.content?.media?.id).length === 4 && items.some((m) => m.content?.text === 'Das letzte Wort');
        },
        id,
        { polling: 250, timeout: 40_000 },
      );
      await page.goto(`${srv.base}/c/${id}`);
      await page.waitForFunction(() => {
        const imgs = [...document.querySelectorAll('[data-type=image] img')];
        return imgs.length === 4 && imgs.every((i) => i.complete && i.naturalWidth === 240);
      });
      // The view follows the pictures as they take their height; on a
      // loaded machine that last scroll can come a frame or two after the
      // images report complete, so wait for it before measuring.
      await page
        .waitForFunction(() => {
          const el = document.querySelector('.thread');
          return el !== null && el.scrollHeight - el.scrollTop - el.clientHeight < 10;
        }, null, { timeout: 5_000 })
        .catch(() => {});
      const gap = await page.locator('.thread').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      assert.ok(gap < 10, `the view is ${gap}px above the newest message`);
      await page.getByTestId('message').getByText('Das letzte Wort').waitFor();
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: a picture that failed during an outage loads once the connection is back', async (t) => {
    if (!needReady(t)) return;
    const lena = { wa_id: '4917790013050', name: 'Lena Bild' };
    const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', {
      ...lena,
      type: 'image',
      media: solidPNG(240, 160, [0xc0, 0x40, 0x20]).toString('base64'),
      mime_type: 'image/png',
      text: 'Das kaputte Teil',
    });
    assert.equal(r.status, 200, r.text);
    const { ctx, page } = await as(operator);
    try {
      const id = await idOf(page, lena);
      // The pictures fail while the server is unreachable.
      await page.route('**/api/v1/media/**', (route) => route.abort('connectionrefused'));
      await page.goto(`${srv.base}/c/${id}`);
      await page.getByTestId('image-failed').waitFor({ timeout: 20_000 });
      await srv.down();
      await page.getByTestId('offline-banner').waitFor();
      await page.unroute('**/api/v1/media/**');
      await srv.up();
      await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForFunction(() => [...document.querySelectorAll('[data-type=image] img')].some((i) => i.complete && i.naturalWidth === 240), null, { timeout: 10_000 });
      assert.equal(await page.getByTestId('image-failed').count(), 0);
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: axe-core finds no serious or critical violation on the main page states, light and dark', async (t) => {
    if (!needReady(t)) return;
    const axeSource = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
    const found = [];
    let axeGone = null;
    const check = async (page, state) => {
      // Evaluated through the DevTools protocol, which the page's CSP does not govern.
      if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`.trim()) }));
      });
      for (const v of violations) found.push(`${state}: ${v.id} on ${v.nodes.length}: ${v.nodes.slice(0, 3).join(' | ')}`);
    };
    for (const colorScheme of ['light', 'dark']) {
      for (const [who, viewport] of [
        [admin, desktop13],
        [operator, desktop13],
        [employee, phone13],
      ]) {
        const ctx = await newContext(browser, { viewport, colorScheme });
        try {
          const page = await ctx.newPage();
          if (stateOf[who.login]) await ctx.addCookies(stateOf[who.login]);
          else {
            await login(page, srv.base, who.login, who.password);
            stateOf[who.login] = await ctx.cookies();
          }
          const tag = `${who.login}/${colorScheme}/${viewport.width}`;
          await page.goto(`${srv.base}/`);
          await page.getByRole('searchbox').waitFor();
          await page.getByTestId('conv-row').first().waitFor({ timeout: 10_000 }).catch(() => {});
          await check(page, `${tag} inbox`);
          if (who !== employee) {
            const hannaId = await idOf(page, hanna);
            await page.goto(`${srv.base}/c/${hannaId}`);
            await page.getByTestId('message').first().waitFor();
            await check(page, `${tag} conversation`);
            await page.getByTestId('assign-button').click();
            await page.getByRole('dialog').getByRole('button').nth(2).waitFor();
            await check(page, `${tag} assign dialog`);
            await page.keyboard.press('Escape');
            await page.getByRole('dialog').waitFor({ state: 'detached' });
            await page.getByRole('main').click({ position: { x: 5, y: 5 } }).catch(() => {});
            await page.keyboard.press('?');
            await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
            await check(page, `${tag} help`);
            await page.keyboard.press('Escape');
          }
          await page.goto(`${srv.base}/account`);
          await page.getByRole('heading', { name: 'My account' }).waitFor();
          await check(page, `${tag} account`);
          if (who === admin) {
            for (const p of ['users', 'roles', 'channels', 'audit']) {
              await page.goto(`${srv.base}/admin/${p}`);
              await page.getByRole('main').getByRole('heading').first().waitFor();
              await page.waitForLoadState('networkidle');
              await check(page, `${tag} ${p}`);
            }
            // The role editor with its channel list open.
            await page.goto(`${srv.base}/admin/roles`);
            await page.getByRole('button', { name: '+ New role' }).click();
            await page.getByRole('dialog', { name: 'New role' }).getByRole('radio', { name: 'Only these channels:' }).check();
            await page.getByTestId('scope-channels').waitFor();
            await check(page, `${tag} role editor, some channels`);
            await page.keyboard.press('Escape');
            // A chat whose only assignee is deactivated (marked in the list and header).
            if (!axeGone) {
              const u = await pageAPI(page, 'POST', '/api/v1/users', { login: 'axe13', name: 'Axel Weg', role_id: 'employee', password: 'Barrierefrei-Gut-13' });
              assert.equal(u.status, 201, JSON.stringify(u.json));
              axeGone = { user: u.json, conv: await idOf(page, ida) };
              assert.equal((await pageAPI(page, 'PUT', `/api/v1/conversations/${axeGone.conv}/assignees/${u.json.id}`)).status, 200);
              assert.equal((await pageAPI(page, 'PATCH', `/api/v1/users/${u.json.id}`, { active: false })).status, 200);
            }
            await page.goto(`${srv.base}/c/${axeGone.conv}`);
            await page.getByTestId('header-assignee').filter({ hasText: '(deactivated)' }).waitFor();
            await check(page, `${tag} deactivated assignee`);
          }
        } finally {
          await ctx.close();
        }
      }
      const anon = await newContext(browser, { colorScheme });
      try {
        const lp = await anon.newPage();
        await lp.goto(`${srv.base}/`);
        await lp.getByRole('button', { name: 'Sign in' }).waitFor();
        await check(lp, `anonymous/${colorScheme} sign-in`);
      } finally {
        await anon.close();
      }
    }
    assert.deepEqual(found, []);
  });

  it('issue 13: after an outage the connection comes back within two seconds, or at once when the tab gets the focus', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator, { clock: true });
    try {
      await page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();
      const banner = page.getByTestId('offline-banner');
      const attempts = [];
      page.on('websocket', (ws) => {
        if (!ws.url().includes('/api/v1/events')) return;
        attempts.push(
          new Promise((r) => {
            ws.on('close', r);
            ws.on('socketerror', r);
          }),
        );
      });
      /** outage stops the server and lets the client fail n times, the clock running on between attempts. */
      const outage = async (n) => {
        const before = attempts.length;
        await srv.down();
        while (attempts.length < before + n) {
          const seen = attempts.length;
          await page.clock.fastForward(40_000);
          // Wait for the attempt this let run, and for it to fail.
          const until = Date.now() + 5_000;
          while (attempts.length === seen && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
          if (attempts.length > seen) await attempts[attempts.length - 1];
        }
        await banner.waitFor();
      };

      await outage(8);
      await srv.up();
      // The next attempt is due within the capped backoff (2 s ± 20 %).
      await page.clock.fastForward(2_500);
      await banner.waitFor({ state: 'detached', timeout: 5_000 });

      await outage(8);
      await srv.up();
      // Back to the tab: at once, without waiting out the backoff.
      await page.evaluate(() => window.dispatchEvent(new Event('focus')));
      await banner.waitFor({ state: 'detached', timeout: 5_000 });
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: after a permanent refusal "Send again" is not offered, only after failures a retry can mend', async (t) => {
    if (!needReady(t)) return;
    const lost = { wa_id: '4900177013060', name: 'Nora Nichtzustellbar' };
    const { ctx, page } = await as(operator);
    try {
      const codes = await pageAPI(page, 'GET', '/api/v1/send-errors');
      assert.equal(codes.status, 200);
      assert.ok(codes.json.retryable_codes.includes(131000) && !codes.json.retryable_codes.includes(131026), JSON.stringify(codes.json));

      // A file our server refuses (the picker is told it is fine, as an older tab might): no "Send again", only Discard.
      await page.route('**/api/v1/media/limits', async (route) => {
        const r = await route.fetch();
        const body = await r.json();
        for (const l of body.items) if (l.kind === 'document') l.mime_types.push('application/x-msdownload');
        await route.fulfill({ response: r, json: body });
      });
      const hannaId = await idOf(page, hanna);
      await page.goto(`${srv.base}/c/${hannaId}`);
      await page.getByRole('heading', { name: hanna.name }).waitFor();
      await page.getByTestId('file-input').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ fake program') });
      await page.getByTestId('attachment').filter({ hasText: 'setup.exe' }).waitFor();
      await page.getByRole('button', { name: 'Send' }).click();
      const refused = page.locator('[data-testid=message][data-status=failed]').filter({ hasText: 'setup.exe' });
      await refused.waitFor({ timeout: 15_000 });
      await refused.getByRole('button', { name: 'Remove' }).waitFor();
      assert.equal(await refused.getByRole('button', { name: 'Send again' }).count(), 0, 'no Send again after a refusal');
      await refused.getByRole('button', { name: 'Remove' }).click();
      await page.unroute('**/api/v1/media/limits');

      // A number not on WhatsApp: Meta answers 131026 (permanent), so no "Send again" either.
      await write(lost, 'Hallo?');
      await rowOf(page, lost).waitFor({ timeout: 15_000 });
      const lostId = await idOf(page, lost);
      await page.goto(`${srv.base}/c/${lostId}`);
      await page.getByRole('heading', { name: lost.name }).waitFor();
      await page.locator('#composer-input').fill('Kommt nie an');
      await page.locator('#composer-input').press('Enter');
      const undelivered = page.locator('[data-testid=message][data-status=failed]').filter({ hasText: 'Kommt nie an' });
      await undelivered.waitFor({ timeout: 20_000 });
      await undelivered.locator('.msg-error').waitFor();
      assert.equal(await undelivered.getByRole('button', { name: 'Send again' }).count(), 0, 'no Send again after 131026');
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: a text refused because the window had closed (131047) offers "Send again" once the window is open again', async (t) => {
    if (!needReady(t)) return;
    const { ctx, page } = await as(operator);
    try {
      const id = await idOf(page, jonas);
      const refusedText = 'Abgelehnt, das Fenster war zu';
      // WhatsApp refused a text with 131047 before Jonas wrote again: a
      // failed message put into the history the API serves.
      let windowClosed = false;
      await page.route(
        (url) => url.pathname.startsWith('/api/v1/conversations'),
        async (route) => {
          const url = new URL(route.request().url());
          if (route.request().method() !== 'GET') return route.fallback();
          const r = await route.fetch();
          const body = await r.json();
          if (url.pathname === `/api/v1/conversations/${id}/messages` && Array.isArray(body.items) && body.items.length > 0) {
            const at = new Date(Date.now() - 60_000).toISOString();
            body.items.push({ ...body.items[0], id: 'e2e-refused-131047', direction: 'out', type: 'text', content: { text: refusedText },
              status: 'failed', timestamp: at, reply_to_id: undefined, error: { code: 131047, title: 'Re-engagement message' } });
          }
          const past = new Date(Date.now() - 3_600_000).toISOString();
          if (windowClosed && url.pathname === `/api/v1/conversations/${id}`) body.window_closes_at = past;
          if (windowClosed && url.pathname === '/api/v1/conversations') for (const c of body.items ?? []) if (c.id === id) c.window_closes_at = past;
          await route.fulfill({ response: r, json: body });
        },
      );
      await page.goto(`${srv.base}/c/${id}`);
      await page.getByRole('heading', { name: jonas.name }).waitFor();
      const refused = page.locator('[data-testid=message][data-status=failed]').filter({ hasText: refusedText });
      await refused.waitFor();
      // The window is open (Jonas wrote today): "Send again" is offered, and the text goes out.
      await refused.getByRole('button', { name: 'Send again' }).click();
      await page
        .locator('[data-testid=message]:is([data-status=sent],[data-status=delivered],[data-status=read])')
        .filter({ hasText: refusedText })
        .waitFor({ timeout: 20_000 });

      // With the window closed it is not offered: it would fail the same way.
      windowClosed = true;
      await page.reload();
      await page.getByRole('heading', { name: jonas.name }).waitFor();
      await page.getByText('The 24-hour window is closed').waitFor();
      await refused.waitFor();
      await refused.locator('.msg-error').waitFor();
      assert.equal(await refused.getByRole('button', { name: 'Send again' }).count(), 0, 'no Send again while the window is closed');
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: the emulator keeps its customers across a restart, so a reply to a chat from before it is sent, not refused with 131047', async (t) => {
    if (!needReady(t)) return;
    const otto = { wa_id: '4917790013070', name: 'Otto Neustart' };
    const before = await as(operator);
    await write(otto, 'Vor dem Neustart');
    await rowOf(before.page, otto).waitFor({ timeout: 15_000 });
    await before.ctx.close();

    await srv.down();
    await srv.up();
    const customers = await emulatorAPI(srv.emulator, 'GET', 'customers');
    assert.equal(customers.status, 200, customers.text);
    const known = (customers.json?.items ?? customers.json ?? []).find((c) => c.wa_id === otto.wa_id);
    assert.ok(known, `the emulator forgot ${otto.name}: ${customers.text}`);
    assert.equal(known.window_open, true);

    const { ctx, page } = await as(operator);
    try {
      const id = await idOf(page, otto);
      await page.goto(`${srv.base}/c/${id}`);
      await page.getByRole('heading', { name: otto.name }).waitFor();
      await page.locator('#composer-input').fill('Antwort nach dem Neustart');
      await page.locator('#composer-input').press('Enter');
      const mine = page.locator('[data-testid=message]').filter({ hasText: 'Antwort nach dem Neustart' });
      await page.locator('[data-testid=message]:is([data-status=sent],[data-status=delivered],[data-status=read],[data-status=failed])').filter({ hasText: 'Antwort nach dem Neustart' }).waitFor({ timeout: 20_000 });
      assert.notEqual(await mine.getAttribute('data-status'), 'failed', await mine.innerText());
      // Delivered to the phone (the ticks say so), and there it is.
      await page.locator('[data-testid=message]:is([data-status=delivered],[data-status=read])').filter({ hasText: 'Antwort nach dem Neustart' }).waitFor({ timeout: 20_000 });
      const phone = await emulatorAPI(srv.emulator, 'GET', `phone/${otto.wa_id}`);
      assert.match(phone.text, /Antwort nach dem Neustart/);
    } finally {
      await ctx.close();
    }
  });

  it('issue 13: the audit log names people and chats with links, and filters by a list of the known actions', async (t) => {
    if (!needReady(t)) return;
    const op = await as(operator);
    const adm = await as(admin, { path: '/admin/audit' });
    try {
      const users = await pageAPI(adm.page, 'GET', `/api/v1/users?q=${employee.login}`);
      const emil = users.json.items.find((u) => u.login === employee.login);
      const hannaId = await idOf(op.page, hanna);
      await pageAPI(op.page, 'DELETE', `/api/v1/conversations/${hannaId}/assignees/${emil.id}`);
      assert.equal((await pageAPI(op.page, 'PUT', `/api/v1/conversations/${hannaId}/assignees/${emil.id}`)).status, 200);

      const known = await pageAPI(adm.page, 'GET', '/api/v1/audit/actions');
      assert.equal(known.status, 200);
      assert.ok(known.json.items.includes('conversation.assign') && known.json.items.includes('session.login'), JSON.stringify(known.json));
      assert.ok(known.json.object_types.includes('conversation') && known.json.object_types.includes('role'), JSON.stringify(known.json));
      const role = await pageAPI(adm.page, 'POST', '/api/v1/roles', { name: 'Prüfer 13', permissions: ['audit.read'], all_channels: true });
      assert.equal(role.status, 201, JSON.stringify(role.json));
      const page = adm.page;
      await page.reload();
      const action = page.getByLabel('Action');
      assert.equal(await action.evaluate((el) => el.tagName), 'SELECT', 'the action filter is a list');
      // The lists fill in once the catalogue has loaded.
      await action.locator('option').nth(known.json.items.length).waitFor({ state: 'attached' });
      // Each known action by its value, shown by a human name.
      assert.deepEqual(await action.locator('option').evaluateAll((os) => os.slice(1).map((o) => o.value)), known.json.items);
      const shown = (await action.locator('option').allInnerTexts()).slice(1);
      assert.ok(shown.includes('Sign in') && shown.includes('Assign conversation'), shown.join(', '));
      assert.ok(!shown.some((n) => /^[a-z_]+\.[a-z_]+$/.test(n)), `a technical name is shown: ${shown.join(', ')}`);
      // The object type is a list too; a role is named and links to the roles screen.
      const objectType = page.getByLabel('Object type');
      assert.equal(await objectType.evaluate((el) => el.tagName), 'SELECT', 'the object-type filter is a list');
      assert.deepEqual(await objectType.locator('option').evaluateAll((os) => os.slice(1).map((o) => o.value)), known.json.object_types);
      await objectType.selectOption('role');
      await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('object_type=role')),
        page.getByRole('button', { name: 'Apply filters' }).click(),
      ]);
      const roleRow = page.getByTestId('audit-row').filter({ hasText: 'Create role' }).first();
      assert.equal(await roleRow.getByRole('link', { name: 'Prüfer 13' }).getAttribute('href'), '/admin/roles');
      assert.equal(await roleRow.getByText(role.json.id).count(), 0, 'no raw role id');
      await objectType.selectOption('');
      await action.selectOption('conversation.assign');
      await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('action=conversation.assign')),
        page.getByRole('button', { name: 'Apply filters' }).click(),
      ]);
      const row = page.getByTestId('audit-row').filter({ hasText: hanna.name }).first();
      await row.waitFor();
      // Names, not ids: the actor, the chat and the assigned user, each a link.
      await row.getByRole('link', { name: operator.name }).waitFor();
      assert.equal(await row.getByRole('link', { name: hanna.name }).getAttribute('href'), `/c/${hannaId}`);
      await row.getByRole('link', { name: employee.name }).waitFor();
      await row.getByText('Assign conversation').waitFor();
      assert.equal(await row.getByText(emil.id).count(), 0, 'no raw user id');
      await shot(page, 'audit-names-desktop-light');
      await row.getByRole('link', { name: operator.name }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      assert.equal(await page.getByRole('searchbox').first().inputValue(), operator.login);
    } finally {
      await op.ctx.close();
      await adm.ctx.close();
    }
  });

  it('issue 13: the role editor nests the channel checkboxes under "Only these channels", and look-alike initials come with names', async (t) => {
    if (!needReady(t)) return;
    const adm = await as(admin, { path: '/admin/roles' });
    try {
      const page = adm.page;
      await page.getByRole('button', { name: '+ New role' }).click();
      const dialog = page.getByRole('dialog', { name: 'New role' });
      const all = dialog.getByRole('radio', { name: /All channels/ });
      const some = dialog.getByRole('radio', { name: 'Only these channels:' });
      assert.equal(await all.isChecked(), true);
      assert.equal(await dialog.getByTestId('scope-channels').isVisible(), false, 'no channel boxes under "All channels"');
      assert.equal(await dialog.getByRole('checkbox', { name: /Demo \(emulator\)/ }).count(), 0);
      await some.check();
      const group = dialog.getByRole('group', { name: 'Only these channels:' });
      await group.getByRole('checkbox', { name: /Demo \(emulator\)/ }).check();
      await shot(page, 'role-editor-channels');
      await all.check();
      await dialog.getByTestId('scope-channels').waitFor({ state: 'hidden' });
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Two employees with the same initials: the header names them.
      const made = [];
      for (const [login, name] of [['mia13', 'Mia Maier'], ['max13', 'Max Müller']]) {
        const r = await pageAPI(page, 'POST', '/api/v1/users', { login, name, role_id: 'employee', password: 'Zwillinge-Gleich-13' });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        made.push(r.json);
      }
      const idaId = await idOf(page, ida);
      for (const u of made) assert.equal((await pageAPI(page, 'PUT', `/api/v1/conversations/${idaId}/assignees/${u.id}`)).status, 200);
      await page.goto(`${srv.base}/c/${idaId}`);
      await page.getByRole('heading', { name: ida.name }).waitFor();
      for (const u of made) await page.getByTestId('header-assignee').filter({ hasText: u.name }).waitFor();
      const hues = await page.getByTestId('header-assignee').locator('.avatar').evaluateAll((els) => els.map((el) => el.style.getPropertyValue('--hue')));
      assert.ok(hues.every((h) => h !== ''), `each avatar has its colour: ${hues}`);
    } finally {
      await adm.ctx.close();
    }
  });

  it('issue 13: a chat whose only assignee is deactivated is marked, counts as unassigned and notifies operators; the assign dialog offers only who can reply', async (t) => {
    if (!needReady(t)) return;
    const kurt = { wa_id: '4917790013050', name: 'Kurt Verwaist' };
    const adm = await as(admin, { path: '/admin/users' });
    const { ctx, page } = await as(operator);
    try {
      // A read-only role and its user, and an employee who will leave.
      const role = await pageAPI(adm.page, 'POST', '/api/v1/roles', { name: 'Nur lesen 13', permissions: ['conversations.read_all'], all_channels: true });
      assert.equal(role.status, 201, JSON.stringify(role.json));
      const reader = await pageAPI(adm.page, 'POST', '/api/v1/users', { login: 'lena13', name: 'Lena Leserin', role_id: role.json.id, password: 'Lesebrille-Rund-13' });
      assert.equal(reader.status, 201, JSON.stringify(reader.json));
      const gero = await pageAPI(adm.page, 'POST', '/api/v1/users', { login: 'gero13', name: 'Gero Gegangen', role_id: 'employee', password: 'Abschied-Leise-13' });
      assert.equal(gero.status, 201, JSON.stringify(gero.json));
      await write(kurt, 'Hallo, ist jemand da?');
      await rowOf(page, kurt).waitFor({ timeout: 15_000 });
      const kurtId = await idOf(page, kurt);
      assert.equal((await pageAPI(page, 'PUT', `/api/v1/conversations/${kurtId}/assignees/${gero.json.id}`)).status, 200);
      // Assigning the read-only user is refused by the server, with a reason.
      const refused = await pageAPI(page, 'PUT', `/api/v1/conversations/${kurtId}/assignees/${reader.json.id}`);
      assert.equal(refused.status, 400);
      assert.match(refused.json?.error?.message ?? JSON.stringify(refused.json), /reply/);

      const chip = (name) => page.getByRole('group', { name: 'Conversation filters' }).getByRole('button', { name: new RegExp(`^${name}\\b`) });
      const count = async (name) => Number((await chip(name).locator('.chip-count').innerText()).trim());
      /** counted waits until the chip shows n: the counts follow live events. */
      const counted = (name, n) => chip(name).locator('.chip-count', { hasText: new RegExp(`^\\s*${n}\\s*$`) }).waitFor({ timeout: 10_000 });
      await page.reload();
      await chip('Unassigned').locator('.chip-count').waitFor();
      const row = rowOf(page, kurt);
      await row.getByRole('img', { name: 'Assigned to Gero Gegangen' }).waitFor();
      const unassignedBefore = await count('Unassigned');

      // The open tab follows the deactivation live, without a reload: the mark and the count.
      assert.equal((await pageAPI(adm.page, 'PATCH', `/api/v1/users/${gero.json.id}`, { active: false })).status, 200);
      await row.getByRole('img', { name: 'unassigned: Assigned to Gero Gegangen (deactivated)' }).waitFor({ timeout: 10_000 });
      await counted('Unassigned', unassignedBefore + 1);
      await row.locator('.avatar-off').waitFor();
      await chip('Unassigned').click();
      await row.waitFor();

      // The header names him, marked.
      await page.goto(`${srv.base}/c/${kurtId}`);
      await page.getByRole('heading', { name: kurt.name }).waitFor();
      await page.getByTestId('header-assignee').filter({ hasText: 'Gero Gegangen (deactivated)' }).waitFor();
      await shot(page, 'deactivated-assignee-header');

      // The assign dialog lists who can reply: not the reader, not Gero.
      await page.getByTestId('assign-button').click();
      const dialog = page.getByRole('dialog', { name: new RegExp(`Assign people who can reply: ${kurt.name}`) });
      await dialog.getByRole('heading', { name: /Can reply here/ }).waitFor();
      await dialog.getByRole('button', { name: `Assign ${employee.name}` }).waitFor();
      await dialog.getByPlaceholder('Search people who can reply').fill('Leserin');
      await dialog.getByText('Nobody active who may reply here matches.').waitFor();
      await dialog.getByPlaceholder('Search people who can reply').fill('Gero');
      await dialog.getByText('Nobody active who may reply here matches.').waitFor();
      await dialog.getByText('Gero Gegangen (deactivated)').waitFor();
      await dialog.getByRole('button', { name: 'Done' }).click();

      // Operators get notices for it, as for any unassigned chat ("mine" is the default setting).
      await page.goto(`${srv.base}/`);
      await rowOf(page, kurt).waitFor();
      await write(kurt, 'Immer noch niemand?');
      await page.getByTestId('notice').filter({ hasText: kurt.name }).waitFor({ timeout: 10_000 });

      // Reactivated: the open tab drops the mark and recounts, live.
      await chip('All').click();
      await rowOf(page, kurt).waitFor();
      await counted('Unassigned', unassignedBefore + 1);
      assert.equal((await pageAPI(adm.page, 'PATCH', `/api/v1/users/${gero.json.id}`, { active: true })).status, 200);
      await rowOf(page, kurt).getByRole('img', { name: 'Assigned to Gero Gegangen' }).waitFor({ timeout: 10_000 });
      await counted('Unassigned', unassignedBefore);
    } finally {
      await ctx.close();
      await adm.ctx.close();
    }
  });
});

// ---------------------------------------------------------------------------

describe('reports', () => {
  it('opens the reports, changes the range and downloads a CSV; employees get no Reports link', async () => {
    const emp = await contextAs(employee);
    await emp.page.goto(`${srv.base}/`);
    await emp.page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    assert.equal(await emp.page.getByRole('link', { name: 'Reports' }).count(), 0, 'no Reports link without reports.read');
    await emp.ctx.close();

    for (const colorScheme of ['light', 'dark']) {
      const { ctx, page } = await contextAs(admin, { colorScheme });
      await page.goto(`${srv.base}/`);
      await page.getByRole('link', { name: 'Reports' }).click();
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
      // The default range is the last 30 days, one row per day.
      const rows = page.getByTestId('table-conversations').locator('tbody tr');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-conversations"] tbody tr').length === 30);
      await page.getByTestId('chart-conversations').locator('svg').waitFor();
      await page.getByText(/First response: from the customer's first message/).waitFor();
      if (colorScheme === 'light') {
        // A range of three days, by week: one or two weekly rows.
        const d = (n) => {
          const t = new Date();
          t.setDate(t.getDate() - n);
          return `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`;
        };
        await page.getByLabel('From').fill(d(2));
        await page.getByLabel('To').fill(d(0));
        await page.getByRole('button', { name: 'Show' }).click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-conversations"] tbody tr').length === 3);
        assert.equal(await rows.count(), 3);
        await page.getByLabel('Per').selectOption('week');
        await page.getByRole('button', { name: 'Show' }).click();
        await page.waitForFunction(() => {
          const n = document.querySelectorAll('[data-testid="table-conversations"] tbody tr').length;
          return n >= 1 && n <= 2;
        });
        await page.getByRole('button', { name: 'Last 7 days' }).click();
        await page.getByLabel('Per').selectOption('day');
        await page.getByRole('button', { name: 'Show' }).click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-conversations"] tbody tr').length === 7);

        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 30_000 }),
          page.getByTestId('csv-conversations').click(),
        ]);
        assert.match(download.suggestedFilename(), /^switchboard-conversations-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
        const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
        assert.match(csv[0], /^period,opened,resolved,reopened,unanswered,/);
        assert.equal(csv.length, 8, 'a header and 7 days');
        await page.getByText(`Saved ${download.suggestedFilename()}.`).waitFor();
        const audit = await pageAPI(page, 'GET', '/api/v1/audit?action=report.export');
        assert.equal(audit.json?.items?.[0]?.object_id, 'conversations', 'the export is audited');
        // Costs and bots have their sections, definitions and CSV too.
        await page.getByRole('heading', { name: 'Costs: billable messages', level: 2 }).waitFor();
        await page.getByText(/Counts only, no amounts/).waitFor();
        await page.getByRole('heading', { name: 'Bots', level: 2 }).waitFor();
        const [costsCSV] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('csv-costs').click()]);
        assert.match(readFileSync(await costsCSV.path(), 'utf8'), /^period,channel_id,billable,pricing_model,category,type,messages/);
      }
      await shot(page, `reports-desktop-${colorScheme}`);
      assertNoProblems(ctx, `reports ${colorScheme}`);
      await ctx.close();
    }
  });
  it('administrator sets business hours on a channel; the reports show times within them and the open backlog', async () => {
    const { ctx, page } = await contextAs(admin);
    try {
      const ch = (await pageAPI(page, 'GET', '/api/v1/channels')).json?.items?.[0];
      assert.ok(ch, 'a channel to set hours on');
      await page.goto(`${srv.base}/admin/channels`);
      const card = page.getByTestId('channel-card').filter({ hasText: ch.name });
      const shown = card.getByTestId('channel-business-hours');
      await shown.filter({ hasText: 'not set (every hour counts)' }).waitFor();
      const edit = async () => {
        await card.getByRole('button', { name: 'Edit' }).click();
        return page.getByRole('dialog', { name: `Edit ${ch.name}` });
      };
      let dialog = await edit();
      await dialog.getByLabel('This channel has business hours').check();
      await dialog.getByLabel('Time zone').fill('Europe/Berlin');
      // A malformed day is refused in the form, with the day named, and nothing is sent.
      let sent = 0;
      const count = (r) => {
        if (r.url().endsWith(`/api/v1/channels/${ch.id}`) && r.method() === 'PATCH') sent++;
      };
      page.on('request', count);
      await dialog.getByLabel('Saturday').fill('10 to 2');
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
      await dialog.getByText('Saturday: write the hours like 09:00-17:00').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'bh-day-5', 'the bad day has the focus');
      assert.equal(sent, 0);
      page.off('request', count);
      await dialog.getByLabel('Saturday').fill('10:00-14:00');
      await dialog.getByLabel('Closed days').fill('2026-12-25\n2026-12-24');
      const [r] = await Promise.all([
        page.waitForResponse((x) => x.url().endsWith(`/api/v1/channels/${ch.id}`) && x.request().method() === 'PATCH'),
        dialog.getByRole('button', { name: 'Save', exact: true }).click(),
      ]);
      assert.equal(r.status(), 200);
      const body = JSON.parse(r.request().postData() ?? '{}');
      assert.deepEqual(body.business_hours.holidays, ['2026-12-24', '2026-12-25']);
      assert.deepEqual(body.business_hours.week[5], [{ open: '10:00', close: '14:00' }]);
      await shown.filter({ hasText: 'Mon–Fri 09:00–17:00 · Sat 10:00–14:00 (Europe/Berlin)' }).waitFor();
      await page.reload();
      await shown.filter({ hasText: 'Sat 10:00–14:00' }).waitFor();

      await page.goto(`${srv.base}/reports`);
      await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
      await page.getByTestId('table-conversations').getByRole('columnheader', { name: 'Open at end' }).waitFor();
      await page.getByTestId('table-times').getByRole('columnheader', { name: 'First response in business hours, median' }).waitFor();
      await page.getByText(/In business hours: the same times/).waitFor();
      await shot(page, 'reports-business-hours-desktop-light');

      // Switching them off removes them.
      await page.goto(`${srv.base}/admin/channels`);
      dialog = await edit();
      await dialog.getByLabel('This channel has business hours').uncheck();
      const [off] = await Promise.all([
        page.waitForResponse((x) => x.url().endsWith(`/api/v1/channels/${ch.id}`) && x.request().method() === 'PATCH'),
        dialog.getByRole('button', { name: 'Save', exact: true }).click(),
      ]);
      assert.equal(JSON.parse(off.request().postData() ?? '{}').business_hours, null);
      await shown.filter({ hasText: 'not set (every hour counts)' }).waitFor();
      assertNoProblems(ctx, 'business hours');
    } finally {
      await ctx.close();
    }
  });
  it('administrator sets and clears a channel away message in the channel dialog', async () => {
    const { ctx, page } = await contextAs(admin);
    try {
      const ch = (await pageAPI(page, 'GET', '/api/v1/channels')).json?.items?.[0];
      assert.ok(ch, 'a channel to set the away message on');
      await page.goto(`${srv.base}/admin/channels`);
      const card = page.getByTestId('channel-card').filter({ hasText: ch.name });
      const edit = async () => {
        await card.getByRole('button', { name: 'Edit' }).click();
        return page.getByRole('dialog', { name: `Edit ${ch.name}` });
      };
      const save = async (dialog) => {
        const [r] = await Promise.all([
          page.waitForResponse((x) => x.url().endsWith(`/api/v1/channels/${ch.id}`) && x.request().method() === 'PATCH'),
          dialog.getByRole('button', { name: 'Save', exact: true }).click(),
        ]);
        assert.equal(r.status(), 200);
        return r.json();
      };
      let dialog = await edit();
      await dialog.getByLabel('Away message').fill('  We are closed; we answer on Monday.  ');
      assert.equal((await save(dialog)).away_message, 'We are closed; we answer on Monday.');
      await page.reload();
      dialog = await edit();
      assert.equal(await dialog.getByTestId('channel-away').inputValue(), 'We are closed; we answer on Monday.');
      await dialog.getByLabel('Away message').fill('');
      assert.equal((await save(dialog)).away_message ?? '', '');
      assertNoProblems(ctx, 'away message');
    } finally {
      await ctx.close();
    }
  });
});


describe('dead letters (issue 11)', () => {
  it('dead letters: a webhook for an unknown number is listed, the channel is added, and the replay from the UI applies it', async (t) => {
    if (!srv.emulator) return t.skip(srv.emulatorError ? `emulator (${srv.emulatorError})` : 'no emulator');
    const { ctx, page } = await contextAs(admin, { viewport: { width: 1280, height: 900 } });
    try {
      const secret = 'e2e-dead-letter-app-secret';
      const channel = (phone_number_id, name) => ({
        name,
        phone_number_id,
        display_phone_number: '',
        waba_id: '990011000100',
        graph_url: srv.emulator,
        mark_read: false,
        access_token: 'e2e-dead-letter-token',
        app_secret: secret,
        verify_token: 'e2e-dead-letter-verify',
      });
      const known = await pageAPI(page, 'POST', '/api/v1/channels', channel('990011000101', 'Dead letter desk'));
      assert.equal(known.status, 201, JSON.stringify(known.json));

      // Signed by the app of a known number, for a number no channel has
      // (yet): accepted (200) and kept as a dead letter, not dropped.
      const customer = { wa_id: '4917790011101', name: 'Dora Deadletter' };
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{
          id: '990011000100',
          changes: [{
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '4930111', phone_number_id: '990011000102' },
              contacts: [{ profile: { name: customer.name }, wa_id: customer.wa_id }],
              messages: [{ from: customer.wa_id, id: 'wamid.e2e-dead-letter-1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Is anybody there?' } }],
            },
          }],
        }],
      });
      const r = await fetch(`${srv.base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
        body,
      });
      assert.equal(r.status, 200, await r.text());

      await page.goto(`${srv.base}/admin/channels`);
      const section = page.getByTestId('dead-letters');
      await section.getByRole('heading', { name: 'Dead letters' }).waitFor();
      // The ingest worker applies the webhook asynchronously: wait until it
      // is kept, then the Refresh button shows it.
      for (let i = 0; ; i++) {
        const d = await pageAPI(page, 'GET', '/api/v1/dead-letters');
        if (d.json?.items?.length === 1) break;
        assert.ok(i < 100, `no dead letter: ${JSON.stringify(d.json)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      await section.getByRole('button', { name: 'Refresh' }).click();
      const item = section.getByTestId('dead-letter');
      await item.waitFor();
      assert.equal(await item.count(), 1);
      await item.getByText('For a phone number id no channel has').waitFor();
      await item.getByText('change for an unknown phone number id').waitFor();
      await item.getByText('Dead letter desk').waitFor();
      // Only what the API returns: no customer content.
      assert.equal(await section.getByText('Is anybody there?').count(), 0);
      assert.equal(await section.getByText(customer.name).count(), 0);
      await section.scrollIntoViewIfNeeded();
      await shot(page, 'dead-letters-desktop-light');

      // The fix: the channel for that number. The ingest worker reloads its
      // channels on an unknown number at most once a second, so the replay
      // waits out that second after the channel exists.
      const later = await pageAPI(page, 'POST', '/api/v1/channels', channel('990011000102', 'Dead letter later'));
      assert.equal(later.status, 201, JSON.stringify(later.json));
      const created = Date.now();

      // Replay asks first; Cancel leaves the item alone.
      await item.getByRole('button', { name: 'Replay' }).click();
      await item.getByText('Queue this event again?').waitFor();
      await item.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await item.getByText('Queue this event again?').count(), 0);
      await item.getByRole('button', { name: 'Replay' }).click();
      const left = 1100 - (Date.now() - created);
      if (left > 0) await new Promise((res) => setTimeout(res, left));
      await item.getByRole('button', { name: 'Replay now' }).click();
      await page.getByText(/^Dead letter \d+ queued again\.$/).waitFor();
      await section.getByTestId('dead-letters-empty').waitFor();
      assert.equal(await section.getByText('No dead letters: every webhook event was applied.').count(), 1);

      // Applied: the customer's message is in the inbox, and nothing came back.
      for (let i = 0; ; i++) {
        const c = await pageAPI(page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(customer.name)}`);
        if (c.json?.items?.some((x) => x.contact?.name === customer.name)) break;
        assert.ok(i < 100, `the replayed message did not arrive: ${JSON.stringify(c.json)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      const dead = await pageAPI(page, 'GET', '/api/v1/dead-letters');
      assert.deepEqual(dead.json?.items, []);
      const audit = await pageAPI(page, 'GET', '/api/v1/audit?action=webhook.replay');
      assert.equal(audit.json?.items?.length, 1, 'the replay is audited');

      // The empty state in the dark look.
      await page.emulateMedia({ colorScheme: 'dark' });
      await section.scrollIntoViewIfNeeded();
      await shot(page, 'dead-letters-empty-desktop-dark');
      assertNoProblems(ctx, 'dead letters');
    } finally {
      await ctx.close();
    }
  });
});

describe('automation (issue 16)', () => {
  it('api tokens: a personal token is shown once, works with its scopes, shows its last use and stops when revoked; a service account gets a token', async () => {
    const { ctx, page } = await contextAs(admin, { viewport: { width: 1280, height: 900 } });
    const asToken = async (secret) => {
      const r = await fetch(`${srv.base}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
      return { status: r.status, json: r.ok ? await r.json() : null };
    };
    try {
      await page.goto(`${srv.base}/account`);
      const mine = page.getByTestId('my-tokens');
      await page.getByRole('heading', { name: 'API tokens' }).waitFor();
      await mine.getByText('No tokens yet.').waitFor();
      await mine.getByLabel('Name', { exact: true }).fill('E2E export');
      await mine.getByLabel('See every conversation').check();
      await mine.getByLabel('Expires').selectOption({ label: 'In 30 days' });
      await mine.getByRole('button', { name: 'Create token' }).click();
      const shown = mine.getByTestId('token-secret');
      await shown.getByText('Token E2E export created. Copy it now: it is shown only once.').waitFor();
      const secret = await shown.getByLabel('New token').inputValue();
      assert.match(secret, /^sbt_[A-Za-z0-9_-]{43}$/);
      await shot(page, 'api-token-shown-once-desktop-light');

      const me = await asToken(secret);
      assert.equal(me.status, 200);
      assert.deepEqual(me.json.role.permissions, ['conversations.read_all'], 'the token has only its scope');

      // Done hides the secret for good; after a reload the list shows the last use.
      await shown.getByRole('button', { name: 'Done' }).click();
      assert.equal(await mine.getByTestId('token-secret').count(), 0);
      await page.reload();
      const row = page.getByTestId('my-tokens').getByTestId('token-row');
      await row.getByText(/127\.0\.0\.1/).waitFor();
      assert.equal(await page.getByText(secret).count(), 0, 'the secret is never shown again');

      // Revoking asks first, then the token stops at once.
      await row.getByRole('button', { name: 'Revoke token E2E export' }).click();
      await row.getByRole('button', { name: 'Revoke now' }).click();
      await page.getByText('Token E2E export revoked.').waitFor();
      await row.getByText('Revoked', { exact: true }).waitFor();
      assert.equal((await asToken(secret)).status, 401);

      // Administration: a service account with a role, and a token for it.
      await page.goto(`${srv.base}/admin/users`);
      const sa = page.getByTestId('service-accounts');
      await sa.getByRole('heading', { name: 'Service accounts' }).waitFor();
      await sa.getByLabel('Login').fill('e2e-bot');
      await sa.getByLabel('Name', { exact: true }).fill('E2E Bot');
      await sa.getByLabel('Role').selectOption({ label: 'Chat operator' });
      await sa.getByLabel('Description').fill('answers in the e2e flow');
      await sa.getByRole('button', { name: 'Create service account' }).click();
      await page.getByText('Service account E2E Bot created.').waitFor();
      const bot = sa.getByTestId('sa-tokens-e2e-bot');
      await bot.getByLabel('Name', { exact: true }).fill('prod');
      // Only the account's role's permissions are offered.
      assert.equal(await bot.getByLabel('Manage users').count(), 0);
      await bot.getByLabel('Reply to customers').check();
      await bot.getByRole('button', { name: 'Create token' }).click();
      const botSecret = await bot.getByTestId('token-secret').getByLabel('New token').inputValue();
      const botMe = await asToken(botSecret);
      assert.equal(botMe.status, 200);
      assert.equal(botMe.json.user.login, 'e2e-bot');
      assert.deepEqual(botMe.json.role.permissions, ['conversations.reply']);
      await sa.scrollIntoViewIfNeeded();
      await shot(page, 'service-accounts-desktop-light');
      assertNoProblems(ctx, 'api tokens');
    } finally {
      await ctx.close();
    }
  });
});

describe('two-factor sign-in (issue 14)', () => {
  const tomas = { login: 'tomas2fa', name: 'Tomas Zweifaktor', password: 'Zweifaktor-Schluessel-14' };

  /** totp computes the RFC 6238 code of a base32 secret for a 30-second step. */
  function totp(secret, step) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const h = createHmac('sha1', key).update(msg).digest();
    const o = h[19] & 15;
    return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
  }
  const stepNow = () => Math.floor(Date.now() / 30_000);

  /** adminPage signs in as the administrator, creating them first when this runs alone. */
  async function adminPage() {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/login`);
    const setup = await pageAPI(page, 'GET', '/api/v1/setup');
    if (setup.json?.needed) {
      const r = await pageAPI(page, 'POST', '/api/v1/setup', { token: srv.token, login: admin.login, name: admin.name, password: admin.password });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      await pageAPI(page, 'DELETE', '/api/v1/session');
    }
    await login(page, srv.base, admin.login, admin.password);
    return { ctx, page };
  }

  it('issue 14: enrols, signs out, signs in with a code from the secret and then with a recovery code', async () => {
    const a = await adminPage();
    const made = await pageAPI(a.page, 'POST', '/api/v1/users', { login: tomas.login, name: tomas.name, role_id: 'employee', password: tomas.password });
    assert.equal(made.status, 201, JSON.stringify(made.json));

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await login(page, srv.base, tomas.login, tomas.password);
    await page.goto(`${srv.base}/account`);
    const section = page.getByTestId('two-factor');
    await section.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await section.getByTestId('tfa-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await section.getByLabel('Code from the app').fill(totp(secret, stepNow()));
    await section.getByRole('button', { name: 'Turn on' }).click();
    const codeList = section.getByTestId('recovery-codes');
    await codeList.waitFor();
    const codes = (await codeList.locator('code').allTextContents()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    await shot(page, 'two-factor-recovery-codes');
    await section.getByRole('button', { name: 'I have saved them' }).click();
    await section.getByTestId('tfa-on').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByLabel('Login', { exact: true }).waitFor();

    // Password, then the code: the confirming step is spent, so use the next one (within the ±1 step window).
    await page.getByLabel('Login', { exact: true }).fill(tomas.login);
    await page.getByLabel('Password', { exact: true }).fill(tomas.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByLabel('Code or recovery code').fill('000000' === totp(secret, stepNow() + 1) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('The code is wrong or the sign-in has expired.').waitFor();
    await page.getByLabel('Code or recovery code').fill(totp(secret, stepNow() + 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();

    // Signed out again, the recovery code works once.
    await pageAPI(page, 'DELETE', '/api/v1/session');
    await page.goto(`${srv.base}/login`);
    for (const attempt of [1, 2]) {
      await page.getByLabel('Login', { exact: true }).fill(tomas.login);
      await page.getByLabel('Password', { exact: true }).fill(tomas.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code or recovery code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      if (attempt === 1) {
        await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
        await pageAPI(page, 'DELETE', '/api/v1/session');
        await page.goto(`${srv.base}/login`);
      } else {
        await page.getByText('The code is wrong or the sign-in has expired.').waitFor();
      }
    }
    // The administrator resets it: the password alone signs in again.
    const reset = await pageAPI(a.page, 'DELETE', `/api/v1/users/${made.json.id}/two-factor`);
    assert.equal(reset.status, 204);
    await page.getByRole('button', { name: 'Back' }).click();
    await login(page, srv.base, tomas.login, tomas.password);
    await ctx.close();
    await a.ctx.close();
  });

  it('issue 14: new recovery codes from My account replace the old ones, shown once', async () => {
    const a = await adminPage();
    const rita = { login: 'rita2fa', name: 'Rita Neucodes', password: 'Neue-Codes-Schluessel-14' };
    const made = await pageAPI(a.page, 'POST', '/api/v1/users', { login: rita.login, name: rita.name, role_id: 'employee', password: rita.password });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await login(page, srv.base, rita.login, rita.password);
    const en = await pageAPI(page, 'POST', '/api/v1/me/two-factor');
    assert.equal(en.status, 201, JSON.stringify(en.json));
    const conf = await pageAPI(page, 'POST', '/api/v1/me/two-factor/confirm', { code: totp(en.json.secret, stepNow()) });
    assert.equal(conf.status, 200, JSON.stringify(conf.json));
    const old = conf.json.recovery_codes;

    await page.goto(`${srv.base}/account`);
    const section = page.getByTestId('two-factor');
    await section.getByTestId('tfa-on').waitFor();
    const form = section.getByTestId('tfa-regenerate');
    await form.getByLabel('Current password').fill(rita.password);
    await form.getByLabel('Current code from the app').fill(totp(en.json.secret, stepNow() + 1));
    await form.getByRole('button', { name: 'Create new recovery codes' }).click();
    await section.getByText('Your old recovery codes no longer work.').waitFor();
    const codes = (await section.getByTestId('recovery-codes').locator('code').allTextContents()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    assert.ok(!codes.includes(old[0]));
    await shot(page, 'two-factor-new-recovery-codes');
    await section.getByRole('button', { name: 'I have saved them' }).click();
    await section.getByText('Recovery codes left: 10.').waitFor();
    assert.equal(await section.getByTestId('recovery-codes').count(), 0, 'the codes are shown only once');

    // An old code no longer signs in; a new one does.
    const anon = await (await newContext(browser)).newPage();
    await anon.goto(`${srv.base}/login`);
    for (const [code, want] of [[old[1], 401], [codes[0], 201]]) {
      const first = await pageAPI(anon, 'POST', '/api/v1/session', { login: rita.login, password: rita.password });
      assert.equal(first.status, 200, JSON.stringify(first.json));
      const second = await pageAPI(anon, 'POST', '/api/v1/session/second-factor', { challenge: first.json.challenge, code });
      assert.equal(second.status, want, JSON.stringify(second.json));
    }
    await anon.context().close();
    await ctx.close();
    await a.ctx.close();
  });
});

describe('passkeys (issue 14)', () => {
  // WebAuthn needs a secure context with a domain name: this flow has its
  // own server whose public URL is http://localhost:<port>, and Chromium's
  // virtual authenticator (CDP) stands in for a platform authenticator.
  let pks;
  before(async () => {
    pks = await startServer({ localhost: true });
  });
  after(async () => {
    await pks?.stop();
  });

  it('passkeys: registers a passkey in My account, signs in with it as the second step, deletes it after confirming', async () => {
    const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(`${pks.base}/login`);
    const setup = await pageAPI(page, 'POST', '/api/v1/setup', { token: pks.token, login: admin.login, name: admin.name, password: admin.password });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    await page.goto(`${pks.base}/account`);

    const section = page.getByTestId('passkeys');
    await section.getByText('You have no passkeys yet.').waitFor();
    await section.getByLabel('Name of the new passkey').fill('Laptop');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey added.').waitFor();
    const row = section.getByTestId('passkey-row');
    await row.filter({ hasText: 'Laptop' }).waitFor();
    await shot(page, 'passkeys-account');

    // Sign out; the password, then the passkey.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByLabel('Login', { exact: true }).fill(admin.login);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    // No TOTP: only the passkey is offered.
    assert.equal(await page.getByLabel('Code or recovery code').count(), 0);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    const audit = await pageAPI(page, 'GET', '/api/v1/audit?action=session.login&limit=5');
    assert.ok(
      audit.json.items.some((e) => e.detail?.second_factor === 'passkey'),
      JSON.stringify(audit.json.items.map((e) => e.detail)),
    );

    // Deleting asks first, and for the password.
    await page.goto(`${pks.base}/account`);
    await section.getByRole('button', { name: 'Delete passkey Laptop' }).click();
    await section.getByText('Delete the passkey “Laptop”?').waitFor();
    await section.getByLabel('Current password').fill('not the password');
    await section.getByRole('button', { name: 'Delete passkey', exact: true }).click();
    await section.getByText('The password is wrong.').waitFor();
    await section.getByLabel('Current password').fill(admin.password);
    await section.getByRole('button', { name: 'Delete passkey', exact: true }).click();
    await section.getByText('You have no passkeys yet.').waitFor();

    // Without a passkey the password alone signs in again.
    await pageAPI(page, 'DELETE', '/api/v1/session');
    await login(page, pks.base, admin.login, admin.password);
    await ctx.close();
  });
});

describe('outgoing webhooks (issue 16)', () => {
  it('outgoing webhook: created in the UI, secret shown once, a customer message is delivered signed, the log redelivers it', async () => {
    const hits = [];
    const rcv = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        hits.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise((r) => rcv.listen(0, '127.0.0.1', r));
    const hookURL = `http://127.0.0.1:${rcv.address().port}/hook`;
    const { ctx, page } = await contextAs(admin, { viewport: { width: 1280, height: 900 } });
    try {
      const appSecret = 'e2e-webhooks-out-app-secret';
      const ch = await pageAPI(page, 'POST', '/api/v1/channels', {
        name: 'Webhook desk', phone_number_id: '990022000101', display_phone_number: '', waba_id: '990022000100',
        graph_url: 'https://graph.facebook.com', mark_read: false, access_token: 'e2e-wh-token', app_secret: appSecret, verify_token: 'e2e-wh-verify',
      });
      assert.equal(ch.status, 201, JSON.stringify(ch.json));

      await page.goto(`${srv.base}/admin/channels`);
      const section = page.getByTestId('webhooks');
      await section.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await section.getByRole('button', { name: 'Add webhook' }).click();
      const form = section.getByTestId('webhook-form');
      await form.getByLabel('URL').fill(hookURL);
      await form.getByLabel('Description').fill('E2E receiver');
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      const secretBox = section.getByTestId('webhook-secret');
      await secretBox.waitFor();
      const secret = (await secretBox.locator('code').textContent()).trim();
      assert.match(secret, /^whsec_/);
      await secretBox.getByRole('button', { name: 'Done' }).click();
      await section.getByTestId('webhook').getByText(hookURL).waitFor();
      await page.reload();
      await page.getByTestId('webhooks').getByTestId('webhook').waitFor();
      assert.equal(await page.getByTestId('webhook-secret').count(), 0, 'the secret is shown only once');

      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '990022000100', changes: [{ field: 'messages', value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '4930222', phone_number_id: '990022000101' },
          contacts: [{ profile: { name: 'Wanda Webhook' }, wa_id: '4917790022101' }],
          messages: [{ from: '4917790022101', id: 'wamid.e2e-webhooks-out-1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Hello hook' } }],
        } }] }],
      });
      const r = await fetch(`${srv.base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` },
        body,
      });
      assert.equal(r.status, 200, await r.text());
      for (let i = 0; hits.length === 0; i++) {
        assert.ok(i < 200, 'no delivery within 20 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      const hit = hits[0];
      assert.equal(hit.headers['x-switchboard-event'], 'message.created');
      const sig = Object.fromEntries(hit.headers['x-switchboard-signature'].split(',').map((kv) => kv.split('=')));
      const mac = createHmac('sha256', secret).update(`${sig.t}.`).update(hit.body).digest('hex');
      assert.equal(sig.v1, mac, 'signature verifies with the secret shown once');
      assert.equal(JSON.parse(hit.body).data.content.text, 'Hello hook');

      const item = page.getByTestId('webhooks').getByTestId('webhook');
      await item.getByRole('button', { name: 'Delivery log' }).click();
      const row = item.getByTestId('webhook-delivery');
      await row.first().waitFor();
      await row.first().getByRole('button', { name: 'Redeliver' }).click();
      for (let i = 0; hits.length < 2; i++) {
        assert.ok(i < 200, 'no redelivery within 20 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(hits[1].headers['x-switchboard-delivery'], hit.headers['x-switchboard-delivery'], 'same delivery id');
    } finally {
      await ctx.close();
      rcv.close();
    }
  });
});

describe('coexistence (issue 11)', () => {
  it('coexistence: replies, edits and deletes from the WhatsApp Business app and imported history show in the thread', async (t) => {
    if (!srv.emulator) return t.skip(srv.emulatorError ? `emulator (${srv.emulatorError})` : 'no emulator');
    // Signs in as the administrator, creating them first when this runs alone.
    const ctx = await newContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/login`);
    const setup = await pageAPI(page, 'GET', '/api/v1/setup');
    if (setup.json?.needed) {
      const made = await pageAPI(page, 'POST', '/api/v1/setup', { token: srv.token, login: admin.login, name: admin.name, password: admin.password });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      await pageAPI(page, 'DELETE', '/api/v1/session');
    }
    await page.goto(`${srv.base}/login`);
    await page.getByLabel('Login', { exact: true }).fill(admin.login);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    try {
      const customer = { wa_id: '4917790022201', name: 'Cora Coexistence' };
      const r = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...customer, text: 'Is the blue one in stock?' });
      assert.equal(r.status, 200, r.text);
      let convId = '';
      for (let i = 0; !convId; i++) {
        const c = await pageAPI(page, 'GET', `/api/v1/conversations?q=${customer.wa_id}`);
        convId = c.json?.items?.[0]?.id ?? '';
        assert.ok(convId || i < 100, 'the customer message did not arrive');
        if (!convId) await new Promise((res) => setTimeout(res, 100));
      }
      await page.goto(`${srv.base}/c/${convId}`);
      await page.getByTestId('message').filter({ hasText: 'Is the blue one in stock?' }).waitFor();

      // The business answers from the phone app: an outgoing bubble whose sender is the app.
      const echo = await emulatorAPI(srv.emulator, 'POST', 'customers/echo', { wa_id: customer.wa_id, text: 'Yes, two left.' });
      assert.equal(echo.status, 200, echo.text);
      const echoId = JSON.parse(echo.text).id;
      const bubble = page.getByTestId('message').filter({ hasText: 'Yes, two left.' });
      await bubble.waitFor({ timeout: 15_000 });
      assert.ok((await bubble.getAttribute('class')).includes('msg-out'));
      await bubble.getByText('WhatsApp Business app').waitFor();

      // Edited in the app: the new text, marked edited, live.
      await emulatorAPI(srv.emulator, 'POST', 'customers/echo', { wa_id: customer.wa_id, edit: echoId, text: 'Yes, one left.' });
      const edited = page.getByTestId('message').filter({ hasText: 'Yes, one left.' });
      await edited.waitFor({ timeout: 15_000 });
      await edited.getByText('edited', { exact: true }).waitFor();
      assert.equal(await page.getByTestId('message').filter({ hasText: 'Yes, two left.' }).count(), 0);

      // Imported history: past messages before the live ones, each marked imported.
      const h = await emulatorAPI(srv.emulator, 'POST', 'customers/history', { wa_id: customer.wa_id });
      assert.equal(h.status, 200, h.text);
      // History arrives by webhook; the open thread reloads on the next visit.
      for (let i = 0; ; i++) {
        const m = await pageAPI(page, 'GET', `/api/v1/conversations/${convId}/messages`);
        if ((m.json?.items ?? []).filter((x) => x.imported).length === 3) break;
        assert.ok(i < 100, `no history: ${JSON.stringify(m.json)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      await page.reload();
      const past = page.getByTestId('message').filter({ hasText: 'Hello, are you open on Saturday?' });
      await past.waitFor();
      await past.getByText('imported', { exact: true }).waitFor();
      const fromApp = page.getByTestId('message').filter({ hasText: 'Yes, from 9 to 14.' });
      await fromApp.getByText('WhatsApp Business app').waitFor();
      const texts = await page.getByTestId('message').allInnerTexts();
      const at = (s) => texts.findIndex((x) => x.includes(s));
      assert.ok(at('Hello, are you open on Saturday?') < at('Great, see you then!') && at('Great, see you then!') < at('Is the blue one in stock?'), texts.join(' / '));
      await shot(page, 'coexistence-phone-light');

      // Deleted in the app: a tombstone, the text gone.
      await emulatorAPI(srv.emulator, 'POST', 'customers/echo', { wa_id: customer.wa_id, revoke: echoId });
      await page.getByTestId('message').getByText('This message was deleted').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('message').filter({ hasText: 'Yes, one left.' }).count(), 0);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'coexistence-phone-dark');
      assertNoProblems(ctx, 'coexistence');
    } finally {
      await ctx.close();
    }
  });
});

describe('interactive messages (issue 11, 2026)', () => {
  it('interactive builder: counts against the limits, refuses an over-long button, sends reply buttons the customer receives, and blocks the customer from the header menu', async (t) => {
    if (!srv.emulator) return t.skip(srv.emulatorError ? `emulator (${srv.emulatorError})` : 'no emulator');
    const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await page.goto(`${srv.base}/login`);
      const setup = await pageAPI(page, 'GET', '/api/v1/setup');
      if (setup.json?.needed) {
        const r = await pageAPI(page, 'POST', '/api/v1/setup', { token: srv.token, login: admin.login, name: admin.name, password: admin.password });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        await pageAPI(page, 'DELETE', '/api/v1/session');
      }
      await login(page, srv.base, admin.login, admin.password);
      const ida = { wa_id: '4915112345111', name: 'Ida Interaktiv' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...ida, text: 'Wann kommt das Paket?' });
      assert.equal(sent.status, 200, sent.text);
      let convId = '';
      for (let i = 0; !convId; i++) {
        const c = await pageAPI(page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(ida.name)}`);
        convId = c.json?.items?.[0]?.id ?? '';
        assert.ok(i < 100, 'the customer message did not arrive');
        if (!convId) await new Promise((res) => setTimeout(res, 100));
      }
      await page.goto(`${srv.base}/c/${convId}`);
      await page.getByRole('button', { name: 'Buttons, list or link' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send buttons, a list or a link' });
      await dialog.getByLabel('Message', { exact: true }).fill('Wann passt die Lieferung?');
      await dialog.getByLabel('Button 1', { exact: true }).fill('Vormittag');
      // Over the 20-character limit: the counter turns red and Send lists the problem.
      await dialog.getByLabel('Button 2', { exact: true }).fill('Am späten Nachmittag bitte');
      await dialog.getByText('26/20').waitFor();
      await dialog.getByRole('button', { name: 'Send', exact: true }).click();
      await shot(page, 'interactive-builder-over-limit-desktop-light');
      await dialog.getByTestId('ia-problems').getByText('Button: at most 20 characters.').waitFor();
      await dialog.getByLabel('Button 2', { exact: true }).fill('Nachmittag');
      await dialog.getByRole('button', { name: 'Add a button' }).click();
      await dialog.getByLabel('Button 3', { exact: true }).fill('Abends');
      assert.equal(await dialog.getByRole('button', { name: 'Add a button' }).count(), 0, 'no fourth button');
      // Keyboard: Enter in a field sends the form.
      await dialog.getByLabel('Button 3', { exact: true }).press('Enter');
      await dialog.waitFor({ state: 'detached' });
      const bubble = page.getByTestId('interactive-bubble').last();
      await bubble.getByText('Wann passt die Lieferung?').waitFor();
      await bubble.getByText('Nachmittag').waitFor();
      let got = null;
      for (let i = 0; !got; i++) {
        const chat = (await emulatorAPI(srv.emulator, 'GET', `phone/${ida.wa_id}`)).json ?? [];
        got = chat.find((m) => m.from_business && m.interactive?.options?.length === 3) ?? null;
        assert.ok(i < 150, `the phone did not get the buttons: ${JSON.stringify(chat)}`);
        if (!got) await new Promise((res) => setTimeout(res, 100));
      }
      assert.deepEqual(
        got.interactive.options.map((o) => o.title),
        ['Vormittag', 'Nachmittag', 'Abends'],
      );

      // Block from the header menu: banner, composer closed, unblock again.
      await page.getByTestId('contact-menu-button').click();
      await page.getByRole('menuitem', { name: 'Block customer' }).click();
      await page.getByRole('dialog', { name: `Block ${ida.name}?` }).getByRole('button', { name: 'Block customer' }).click();
      await page.getByTestId('blocked-banner').waitFor();
      await page.getByTestId('composer-blocked').waitFor();
      await shot(page, 'conversation-blocked-desktop-light');
      await page.getByTestId('contact-menu-button').click();
      await page.getByRole('menuitem', { name: 'Unblock customer' }).click();
      await page.getByTestId('blocked-banner').waitFor({ state: 'detached' });
      await page.locator('#composer-input').waitFor();
      assertNoProblems(ctx, 'interactive builder');
    } finally {
      await ctx.close();
    }
  });
});

describe('bot hand-off (issue 16)', () => {
  it('bot hand-off: a bot token suggests a reply that the operator sees live and sends, then the bot hands off and the operator sees the reason', async () => {
    const { ctx, page } = await contextAs(admin, { viewport: { width: 1280, height: 900 } });
    const asBot = async (secret, method, path, body) => {
      const r = await fetch(`${srv.base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secret}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    };
    try {
      const appSecret = 'e2e-handoff-app-secret';
      const ch = await pageAPI(page, 'POST', '/api/v1/channels', {
        name: 'Bot desk', phone_number_id: '990033000101', display_phone_number: '', waba_id: '990033000100',
        graph_url: 'https://graph.facebook.com', mark_read: false, access_token: 'e2e-ho-token', app_secret: appSecret, verify_token: 'e2e-ho-verify',
      });
      assert.equal(ch.status, 201, JSON.stringify(ch.json));
      const sa = await pageAPI(page, 'POST', '/api/v1/service-accounts', { login: 'e2e-helpbot', name: 'Help Bot', role_id: 'operator', bot: true });
      assert.equal(sa.status, 201, JSON.stringify(sa.json));
      const tok = await pageAPI(page, 'POST', `/api/v1/service-accounts/${sa.json.user.id}/tokens`, {
        name: 'ai', scopes: ['conversations.read_all', 'conversations.reply'],
      });
      assert.equal(tok.status, 201, JSON.stringify(tok.json));
      const secret = tok.json.secret;
      const patched = await pageAPI(page, 'PATCH', `/api/v1/channels/${ch.json.id}`, { bot_agent_id: sa.json.user.id });
      assert.equal(patched.status, 200, JSON.stringify(patched.json));

      // A customer writes: the conversation starts with the bot.
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '990033000100', changes: [{ field: 'messages', value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '4930333', phone_number_id: '990033000101' },
          contacts: [{ profile: { name: 'Hedda Handoff' }, wa_id: '4917790033101' }],
          messages: [{ from: '4917790033101', id: 'wamid.e2e-handoff-1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Where is my parcel?' } }],
        } }] }],
      });
      const r = await fetch(`${srv.base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` },
        body,
      });
      assert.equal(r.status, 200, await r.text());
      // The hand-off to the bot is written just after the conversation
      // (and before the bot's "your turn" event): wait for it.
      let conv;
      for (let i = 0; conv?.handler !== 'bot'; i++) {
        assert.ok(i < 200, `no conversation with the bot within 20 s: ${JSON.stringify(conv)}`);
        const list = await asBot(secret, 'GET', '/api/v1/conversations?q=4917790033101');
        conv = list.json?.items?.[0];
        if (conv?.handler !== 'bot') await new Promise((res) => setTimeout(res, 100));
      }

      await page.goto(`${srv.base}/c/${conv.id}`);
      await page.getByRole('heading', { name: 'Hedda Handoff' }).waitFor();
      await page.getByTestId('handler-badge').getByText('Bot').waitFor();

      // The bot suggests; the card appears live; Alt+Enter sends it.
      const sg = await asBot(secret, 'POST', `/api/v1/conversations/${conv.id}/suggestions`, {
        text: 'Your parcel arrives tomorrow.', rationale: 'tracking says out for delivery',
      });
      assert.equal(sg.status, 201, JSON.stringify(sg.json));
      const card = page.getByTestId('suggestion');
      await card.getByText('Your parcel arrives tomorrow.').waitFor();
      await card.getByText('Why: tracking says out for delivery').waitFor();
      await shot(page, 'suggestion-card-desktop-light');
      await page.keyboard.press('Alt+Enter');
      await page.locator('.thread').getByText('Your parcel arrives tomorrow.').waitFor();
      await card.waitFor({ state: 'detached' });
      // A person replied: people handle it now, and the bot may not send.
      await page.getByTestId('handler-badge').waitFor({ state: 'detached' });
      const refused = await asBot(secret, 'POST', `/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'me again' });
      assert.equal(refused.status, 403);

      // Hand back; the bot hands off with a reason and a summary, seen live.
      await page.getByTestId('hand-back').click();
      await page.getByTestId('handler-badge').waitFor();
      const ho = await asBot(secret, 'POST', `/api/v1/conversations/${conv.id}/handoff`, {
        to: 'human', reason: 'Parcel lost', summary: 'Parcel 4711 is two days late; Hedda wants a refund.',
      });
      assert.equal(ho.status, 200, JSON.stringify(ho.json));
      const line = page.getByTestId('handoff-line');
      await line.getByText('Handed to people: Parcel lost').waitFor();
      await line.getByText('Parcel 4711 is two days late; Hedda wants a refund.').waitFor();
      await page.getByTestId('handler-badge').waitFor({ state: 'detached' });
      await page.getByTestId('take-over').waitFor({ state: 'detached' });
      await shot(page, 'handoff-line-desktop-light');
      assertNoProblems(ctx, 'bot hand-off');
    } finally {
      await ctx.close();
    }
  });
});

describe('notes and mentions (issue 15)', () => {
  it('notes and mentions: an operator mentions an employee in a private note; the employee is notified, opens the conversation and answers with a note; closing ends the mention; the customer never receives a note', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const emp = await contextAs(employee, { viewport: { width: 390, height: 844 } });
    try {
      await emp.ctx.addInitScript(() => {
        window.__notes = [];
        class Spy {
          static permission = 'granted';
          static requestPermission() {
            return Promise.resolve('granted');
          }
          constructor(title, opts) {
            window.__notes.push({ title, body: opts?.body ?? '' });
          }
          close() {}
        }
        Object.defineProperty(window, 'Notification', { value: Spy, configurable: true });
      });
      await emp.page.goto(`${srv.base}/`);
      await emp.page.getByRole('navigation', { name: 'Main navigation' }).waitFor();

      const cust = { wa_id: '4915112345150', name: 'Nora Notiz' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text: 'Ich brauche eine Rechnung.' });
      assert.equal(sent.status, 200, sent.text);
      let id = '';
      for (let i = 0; !id; i++) {
        assert.ok(i < 150, 'the conversation did not arrive');
        const r = await pageAPI(op.page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(cust.name)}`);
        id = r.json?.items?.[0]?.id ?? '';
        if (!id) await new Promise((res) => setTimeout(res, 100));
      }
      // Not assigned: the employee may not see it.
      assert.equal((await pageAPI(emp.page, 'GET', `/api/v1/conversations/${id}`)).status, 404);

      await op.page.goto(`${srv.base}/c/${id}`);
      await op.page.getByRole('heading', { name: cust.name }).waitFor();
      // "n" switches the composer to a private note; @ offers the people.
      await op.page.locator('.thread').focus();
      await op.page.keyboard.press('n');
      const input = op.page.locator('#note-input');
      await input.waitFor();
      assert.equal(await op.page.evaluate(() => document.activeElement?.id), 'note-input');
      await input.pressSequentially('Bitte die Rechnung schicken, @Emi');
      await op.page.getByTestId('mention-list').getByRole('option', { name: '@Emil Employee' }).waitFor();
      await op.page.keyboard.press('Enter');
      assert.equal(await input.inputValue(), 'Bitte die Rechnung schicken, @Emil Employee ');
      await input.pressSequentially('danke!');
      await op.page.keyboard.press('Enter');
      const opNote = op.page.getByTestId('note').filter({ hasText: 'Bitte die Rechnung schicken, @Emil Employee danke!' });
      await opNote.waitFor();
      await opNote.getByText('Private note').waitFor();
      await shot(op.page, 'note-desktop-light');

      // The employee is told at once (in the app and by the browser) and may open it.
      const toast = emp.page.locator('.toast').filter({ hasText: 'Olga Operator mentioned you' });
      await toast.waitFor({ timeout: 15_000 });
      await emp.page.waitForFunction(() => window.__notes.some((n) => n.title === 'Olga Operator mentioned you'), null, { timeout: 10_000 });
      // The chat is in the employee's list now, marked as a mention.
      await emp.page.getByTestId('conv-row').filter({ hasText: cust.name }).getByTestId('mention-badge').waitFor();
      await toast.getByRole('button', { name: 'Open' }).click();
      await emp.page.getByRole('heading', { name: cust.name }).waitFor();
      await emp.page.getByTestId('mention-banner').waitFor();
      await emp.page.getByTestId('note').filter({ hasText: 'danke!' }).waitFor();
      await emp.page.locator('.thread').getByText('Ich brauche eine Rechnung.').waitFor();
      // Reading only: no reply composer, no assign or close; notes yes.
      assert.equal(await emp.page.locator('#composer-input').count(), 0);
      assert.equal(await emp.page.getByTestId('assign-button').count(), 0);
      const empInput = emp.page.locator('#note-input');
      await empInput.fill('Rechnung ist raus.');
      await empInput.press('Enter');
      await op.page.getByTestId('note').filter({ hasText: 'Rechnung ist raus.' }).waitFor({ timeout: 10_000 });
      await shot(emp.page, 'note-mentioned-phone-light');

      // Closing resolves the mention: an activity line for everyone, and
      // the employee loses the conversation live.
      await op.page.getByRole('button', { name: 'Resolve', exact: true }).click();
      await op.page.getByTestId('activity-line').filter({ hasText: 'Olga Operator resolved the conversation' }).waitFor();
      await emp.page.getByTestId('conversation-404').waitFor({ timeout: 10_000 });
      assert.equal((await pageAPI(emp.page, 'GET', `/api/v1/conversations/${id}`)).status, 404);

      // The customer's phone got nothing from the business.
      const chat = (await emulatorAPI(srv.emulator, 'GET', `phone/${cust.wa_id}`)).json ?? [];
      assert.ok(chat.length >= 1, JSON.stringify(chat));
      const fromUs = chat.filter((m) => m.from_business);
      assert.deepEqual(fromUs, [], `the customer received: ${JSON.stringify(fromUs)}`);
      assert.ok(!JSON.stringify(chat).includes('Rechnung ist raus'), JSON.stringify(chat));
      assertNoProblems(op.ctx, 'notes (operator)');
      assertNoProblems(emp.ctx, 'notes (employee)');
    } finally {
      await op.ctx.close();
      await emp.ctx.close();
    }
  });
});

describe('routing (issue 15)', () => {
  it('automatic assignment: the administrator turns it on for a channel, a customer writes, and the online employee gets the conversation', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const adm = await contextAs(admin, { viewport: { width: 1280, height: 800 } });
    const emp = await contextAs(employee, { viewport: { width: 390, height: 844 } });
    let channelId = '';
    try {
      // The employee says they are online (on a phone: on the account page).
      await emp.page.goto(`${srv.base}/account`);
      await Promise.all([
        emp.page.waitForResponse((r) => r.url().endsWith('/api/v1/me/availability') && r.status() === 200),
        emp.page.getByTestId('availability-account').selectOption('online'),
      ]);
      await emp.page.goto(`${srv.base}/`);

      // The administrator turns on round robin among employees in the channel dialog.
      await adm.page.goto(`${srv.base}/admin/channels`);
      // The emulator's channel (the one its customers write to).
      const card = adm.page.getByTestId('channel-card').filter({ hasText: 'Demo (emulator)' });
      await card.waitFor();
      await card.getByRole('button', { name: 'Edit' }).click();
      const routing = adm.page.getByTestId('channel-routing');
      await routing.waitFor();
      await routing.getByLabel('Mode').selectOption('round_robin');
      await routing.getByLabel('Role Employee').check();
      await routing.getByTestId('routing-save').click();
      await adm.page.locator('.toast').filter({ hasText: 'Automatic assignment saved.' }).waitFor();
      await shot(adm.page, 'routing-channel-desktop-light');
      const channels = await pageAPI(adm.page, 'GET', '/api/v1/channels');
      channelId = channels.json?.items?.find((c) => c.name === 'Demo (emulator)')?.id ?? '';

      // A customer writes; the employee sees it in their list (they see
      // only their own), assigned to them.
      const cust = { wa_id: '4915112345160', name: 'Rita Routing' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text: 'Wer hilft mir?' });
      assert.equal(sent.status, 200, sent.text);
      const row = emp.page.getByTestId('conv-row').filter({ hasText: cust.name });
      await row.waitFor({ timeout: 15_000 });
      await row.click();
      await emp.page.getByRole('heading', { name: cust.name }).waitFor();
      const id = decodeURIComponent(new URL(emp.page.url()).pathname.split('/').pop() ?? '');
      const conv = await pageAPI(emp.page, 'GET', `/api/v1/conversations/${id}`);
      assert.deepEqual(conv.json?.assignees?.map((a) => a.name), [employee.name], JSON.stringify(conv.json));
      await shot(emp.page, 'routing-assigned-phone-light');
      assertNoProblems(adm.ctx, 'routing (administrator)');
      assertNoProblems(emp.ctx, 'routing (employee)');
    } finally {
      // Off again, and offline, for the flows after this one.
      if (channelId) {
        await pageAPI(adm.page, 'PUT', `/api/v1/channels/${channelId}/routing`, { mode: 'off', team_ids: [], role_ids: [], capacity: 0, reoffer_minutes: 0 });
      }
      await pageAPI(emp.page, 'PUT', '/api/v1/me/availability', { availability: 'offline' });
      await adm.ctx.close();
      await emp.ctx.close();
    }
  });

  it('assign to me: an operator takes a conversation in one click and with the i key', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    try {
      const cust = { wa_id: '4915112345161', name: 'Ida Ichnehme' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text: 'Hallo?' });
      assert.equal(sent.status, 200, sent.text);
      await op.page.goto(`${srv.base}/`);
      const row = op.page.getByTestId('conv-row').filter({ hasText: cust.name });
      await row.waitFor({ timeout: 15_000 });
      await row.click();
      await op.page.getByRole('heading', { name: cust.name }).waitFor();
      const mine = op.page.getByTestId('header-assignee').filter({ hasText: operator.name });
      await op.page.getByTestId('assign-me').click();
      await mine.waitFor();
      assert.equal(await op.page.getByTestId('assign-me').count(), 0, 'no "Assign to me" once assigned');

      // Unassigned again (by API), the i key takes it back.
      const id = decodeURIComponent(new URL(op.page.url()).pathname.split('/').pop() ?? '');
      const me = await pageAPI(op.page, 'GET', '/api/v1/me');
      assert.equal((await pageAPI(op.page, 'DELETE', `/api/v1/conversations/${id}/assignees/${me.json.user.id}`)).status, 200);
      await op.page.getByTestId('assign-me').waitFor();
      await op.page.locator('.thread').focus();
      await op.page.keyboard.press('i');
      await mine.waitFor();
      await shot(op.page, 'assign-me-desktop-light');
      assertNoProblems(op.ctx, 'assign to me');
    } finally {
      await op.ctx.close();
    }
  });
});

describe('teams (issue 15)', () => {
  it('teams: the administrator creates a team with the employee, an operator assigns a conversation to it and filters by it, the employee sees it; deactivating a user reassigns their conversations', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const adm = await contextAs(admin, { viewport: { width: 1280, height: 800 } });
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const emp = await contextAs(employee, { viewport: { width: 390, height: 844 } });
    try {
      // The administrator creates the team on the users page, with the employee.
      await adm.page.goto(`${srv.base}/admin/users`);
      const teams = adm.page.getByTestId('teams');
      await teams.getByRole('button', { name: 'New team' }).click();
      const dialog = adm.page.getByRole('dialog', { name: 'New team' });
      await dialog.getByLabel('Team name').fill('Vertrieb');
      await dialog.getByLabel('Filter people').fill('emil');
      await dialog.getByRole('checkbox', { name: new RegExp(employee.name) }).check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await adm.page.locator('.toast').filter({ hasText: 'Team Vertrieb created.' }).waitFor();
      // Renamed, keyboard only: the edit button, the name field, Enter.
      await teams.getByRole('button', { name: 'Edit team Vertrieb' }).focus();
      await adm.page.keyboard.press('Enter');
      const edit = adm.page.getByRole('dialog', { name: 'Edit team Vertrieb' });
      await edit.getByLabel('Team name').fill('Vertrieb Nord');
      await edit.getByLabel('Team name').press('Enter');
      const row = teams.getByTestId('team-row').filter({ hasText: 'Vertrieb Nord' });
      await row.getByText(employee.name).waitFor();
      await shot(adm.page, 'teams-admin-desktop-light');

      // A customer writes; the operator assigns the conversation to the team.
      const cust = { wa_id: '4915112345162', name: 'Tina Team' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text: 'Ich brauche ein Angebot.' });
      assert.equal(sent.status, 200, sent.text);
      await op.page.goto(`${srv.base}/`);
      const opRow = op.page.getByTestId('conv-row').filter({ hasText: cust.name });
      await opRow.waitFor({ timeout: 15_000 });
      await opRow.click();
      await op.page.getByRole('heading', { name: cust.name }).waitFor();
      const id = decodeURIComponent(new URL(op.page.url()).pathname.split('/').pop() ?? '');
      await op.page.getByTestId('assign-button').click();
      const assign = op.page.getByRole('dialog', { name: /Assign people who can reply/ });
      await assign.getByLabel('Team', { exact: true }).selectOption({ label: 'Vertrieb Nord' });
      await op.page.locator('.toast').filter({ hasText: 'Conversation assigned to team Vertrieb Nord.' }).waitFor();
      await assign.getByRole('button', { name: 'Done' }).click();
      await op.page.getByTestId('header-team').filter({ hasText: 'Team: Vertrieb Nord' }).waitFor();
      // The team filter beside the assignment tabs.
      await op.page.getByTestId('team-filter').selectOption({ label: 'Vertrieb Nord' });
      await op.page.getByTestId('conv-row').filter({ hasText: cust.name }).waitFor();
      await shot(op.page, 'teams-assigned-desktop-light');

      // The employee, who sees only their own conversations, sees the team's.
      await emp.page.goto(`${srv.base}/`);
      const empRow = emp.page.getByTestId('conv-row').filter({ hasText: cust.name });
      await empRow.waitFor({ timeout: 15_000 });
      await empRow.click();
      await emp.page.getByRole('heading', { name: cust.name }).waitFor();

      // Deactivating a user reassigns their conversations to a chosen active user.
      const made = await pageAPI(adm.page, 'POST', '/api/v1/users', { login: 'rolf15', name: 'Rolf Reassign', role_id: 'employee', password: 'Umzugskarton-Gelb-15' });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      assert.equal((await pageAPI(adm.page, 'PUT', `/api/v1/conversations/${id}/assignees/${made.json.id}`)).status, 200);
      await adm.page.goto(`${srv.base}/admin/users?q=rolf15`);
      await adm.page.getByRole('button', { name: 'Edit rolf15' }).click();
      const ud = adm.page.getByRole('dialog', { name: 'Edit rolf15' });
      await ud.getByRole('button', { name: 'Deactivate' }).click();
      await ud.getByTestId('deactivate-reassign').check();
      await ud.getByLabel('New assignee').selectOption({ label: `${employee.name} (${employee.login})` });
      await ud.getByRole('button', { name: 'Yes, deactivate rolf15' }).click();
      await adm.page.locator('.toast').filter({ hasText: 'rolf15 is deactivated' }).waitFor();
      const after = await pageAPI(adm.page, 'GET', `/api/v1/conversations/${id}`);
      assert.deepEqual(after.json?.assignees?.map((a) => a.name), [employee.name], JSON.stringify(after.json));

      // Deleted after confirming; the conversation loses its team.
      await adm.page.goto(`${srv.base}/admin/users`);
      await teams.getByRole('button', { name: 'Delete team Vertrieb Nord' }).click();
      await teams.getByRole('button', { name: /Yes, delete Vertrieb Nord/ }).click();
      await adm.page.locator('.toast').filter({ hasText: 'Team Vertrieb Nord deleted.' }).waitFor();
      assert.equal(await teams.getByTestId('team-row').count(), 0);
      const gone = await pageAPI(op.page, 'GET', `/api/v1/conversations/${id}`);
      assert.ok(!gone.json?.team_id, JSON.stringify(gone.json));
      assertNoProblems(adm.ctx, 'teams (administrator)');
      assertNoProblems(op.ctx, 'teams (operator)');
      assertNoProblems(emp.ctx, 'teams (employee)');
    } finally {
      await adm.ctx.close();
      await op.ctx.close();
      await emp.ctx.close();
    }
  });
});

describe('labels and filters (issue 15)', () => {
  it('labels and filters: an operator creates a label, puts it on a conversation from the header (with the keyboard), sees the activity line, and filters the list by it', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const labelName = 'Stammkunde';
    try {
      // Administration → Labels: create one (operators have labels.manage).
      await op.page.goto(`${srv.base}/admin/labels`);
      await op.page.getByTestId('labels-page').waitFor();
      await op.page.getByTestId('label-name').fill(labelName);
      await op.page.getByTestId('label-color').fill('#d946ef');
      await op.page.getByTestId('label-save').click();
      await op.page.getByTestId('label-row').filter({ hasText: labelName }).waitFor();
      await shot(op.page, 'labels-admin-desktop-light');

      const a = { wa_id: '4915112345180', name: 'Lena Label' };
      const b = { wa_id: '4915112345181', name: 'Otto Ohne' };
      for (const [c, text] of [[a, 'Ich bin Stammkundin.'], [b, 'Eine Frage.']]) {
        const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...c, text });
        assert.equal(sent.status, 200, sent.text);
      }
      await op.page.goto(`${srv.base}/`);
      const rowA = op.page.getByTestId('conv-row').filter({ hasText: a.name });
      const rowB = op.page.getByTestId('conv-row').filter({ hasText: b.name });
      await rowA.waitFor({ timeout: 15_000 });
      await rowB.waitFor({ timeout: 15_000 });
      await rowA.click();
      await op.page.getByRole('heading', { name: a.name }).waitFor();

      // The picker opens with the focus on the first label; the arrow keys
      // move, Enter toggles, Escape closes and gives the focus back.
      const picker = op.page.getByTestId('label-picker-button');
      await picker.focus();
      await op.page.keyboard.press('Enter');
      const option = op.page.getByRole('menuitemcheckbox', { name: labelName });
      await option.waitFor();
      await op.page.keyboard.press('End');
      while (!(await option.evaluate((el) => el === document.activeElement))) await op.page.keyboard.press('ArrowUp');
      await op.page.keyboard.press('Enter');
      await op.page.waitForFunction((name) => [...document.querySelectorAll('[role=menuitemcheckbox]')].some((el) => el.textContent?.includes(name) && el.getAttribute('aria-checked') === 'true'), labelName);
      await op.page.keyboard.press('Escape');
      assert.equal(await picker.evaluate((el) => el === document.activeElement), true, 'Escape gives the focus back to the button');
      await op.page.locator('.conv-header .label-chip').filter({ hasText: labelName }).waitFor();
      await op.page.getByTestId('activity-line').filter({ hasText: `${operator.name} added the label ${labelName}` }).waitFor();
      await rowA.locator('.label-chip').filter({ hasText: labelName }).waitFor();

      // Filter the list by the label (with the waiting order): only A is left.
      await op.page.getByTestId('filter-toggle').click();
      await op.page.getByTestId('filter-label').selectOption({ label: labelName });
      await op.page.getByTestId('filter-sort').selectOption('waiting');
      await op.page.getByTestId('filter-toggle').filter({ hasText: 'Filters (2)' }).waitFor();
      await rowB.waitFor({ state: 'detached' });
      await rowA.waitFor();
      const listed = await pageAPI(op.page, 'GET', `/api/v1/conversations?label=${(await pageAPI(op.page, 'GET', '/api/v1/labels')).json.items.find((l) => l.name === labelName).id}`);
      assert.deepEqual(listed.json.items.map((c) => c.contact?.name), [a.name]);
      await shot(op.page, 'labels-filtered-desktop-light');

      // Taking it off (by the menu, with the mouse) drops A from the filtered list live.
      await picker.click();
      await option.click();
      await op.page.getByTestId('activity-line').filter({ hasText: `${operator.name} removed the label ${labelName}` }).waitFor();
      await op.page.keyboard.press('Escape');
      await rowA.waitFor({ state: 'detached' });
      await op.page.getByTestId('filter-clear').click();
      await rowB.waitFor();

      // On a phone the picker is in the header, visible and not covered.
      await op.page.setViewportSize({ width: 390, height: 844 });
      await picker.waitFor();
      const covered = await picker.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.right > window.innerWidth || !(hit && el.contains(hit));
      });
      assert.equal(covered, false, 'the label button is on screen and not covered on a phone');
      await picker.click();
      await option.waitFor();
      const menuFits = await op.page.getByTestId('label-menu').evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.left >= 0 && r.right <= window.innerWidth;
      });
      assert.equal(menuFits, true, 'the label menu fits the phone screen');
      await shot(op.page, 'labels-picker-phone-light');
      assertNoProblems(op.ctx, 'labels and filters');
    } finally {
      await op.ctx.close();
    }
  });
});

describe('mentions list (issue 15)', () => {
  it('mentions list: an employee finds the notes that mention them under Mentions, with author, time and the note; a new mention appears live; opening one marks it read', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const emp = await contextAs(employee, { viewport: { width: 1280, height: 800 } });
    try {
      const arrive = async (cust, text) => {
        const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text });
        assert.equal(sent.status, 200, sent.text);
        for (let i = 0; ; i++) {
          assert.ok(i < 150, 'the conversation did not arrive');
          const r = await pageAPI(op.page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(cust.name)}`);
          const id = r.json?.items?.[0]?.id;
          if (id) return id;
          await new Promise((res) => setTimeout(res, 100));
        }
      };
      const first = await arrive({ wa_id: '4915112345170', name: 'Mara Mention' }, 'Haben Sie das Paket?');
      const second = await arrive({ wa_id: '4915112345171', name: 'Theo Later' }, 'Noch eine Frage.');
      const who = await pageAPI(op.page, 'GET', `/api/v1/conversations/${first}/mentionable?q=Emil`);
      const empId = who.json?.items?.[0]?.id;
      assert.ok(empId, JSON.stringify(who.json));
      const note = await pageAPI(op.page, 'POST', `/api/v1/conversations/${first}/notes`, { text: '@Emil Employee bitte das Paket prüfen', mentions: [empId] });
      assert.equal(note.status, 201, JSON.stringify(note.json));

      await emp.page.goto(`${srv.base}/`);
      await emp.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Mentions' }).click();
      await emp.page.getByRole('heading', { name: 'Mentions', level: 1 }).waitFor();
      const item = emp.page.getByTestId('mention-item').filter({ hasText: 'Mara Mention' });
      await item.getByText('@Emil Employee bitte das Paket prüfen').waitFor();
      await item.getByText(/Olga Operator mentioned you/).waitFor();
      assert.equal(await item.getByTestId('mention-state').textContent(), 'unread');

      // A new mention appears without reloading.
      const again = await pageAPI(op.page, 'POST', `/api/v1/conversations/${second}/notes`, { text: '@Emil Employee kannst du Theo antworten?', mentions: [empId] });
      assert.equal(again.status, 201, JSON.stringify(again.json));
      await emp.page.getByTestId('mention-item').filter({ hasText: 'Theo Later' }).getByText('@Emil Employee kannst du Theo antworten?').waitFor({ timeout: 10_000 });
      await shot(emp.page, 'mentions-desktop-light');

      // Opening it reads it.
      await item.getByRole('link').click();
      await emp.page.getByRole('heading', { name: 'Mara Mention', level: 1 }).waitFor();
      await emp.page.getByTestId('mention-banner').waitFor();
      for (let i = 0; ; i++) {
        const r = await pageAPI(emp.page, 'GET', '/api/v1/mentions');
        const m = (r.json?.items ?? []).find((x) => x.conversation_id === first);
        if (m?.read_at) break;
        assert.ok(i < 100, `the mention stays unread: ${JSON.stringify(m)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      await emp.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Mentions' }).click();
      await emp.page.getByTestId('mention-item').filter({ hasText: 'Mara Mention' }).getByTestId('mention-state').filter({ hasText: /^read$/ }).waitFor();
      assert.equal(await emp.page.getByTestId('mention-item').filter({ hasText: 'Theo Later' }).getByTestId('mention-state').textContent(), 'unread');
      assertNoProblems(op.ctx, 'mentions (operator)');
      assertNoProblems(emp.ctx, 'mentions (employee)');
    } finally {
      await op.ctx.close();
      await emp.ctx.close();
    }
  });
});

describe('contact panel (issue 15)', () => {
  it('contact panel: the administrator defines a field, sets it on a contact and writes a contact note; an operator on a phone sees both live; the customer\'s conversation on another number is listed and opens', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const adm = await contextAs(admin, { viewport: { width: 1280, height: 800 } });
    const op = await contextAs(operator, { viewport: { width: 390, height: 844 } });
    try {
      const cust = { wa_id: '4915112345160', name: 'Karla Kontakt' };
      const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...cust, text: 'Wann kommt meine Lieferung?' });
      assert.equal(sent.status, 200, sent.text);
      // The same customer writes to a second number of the business.
      const secret = 'e2e-contact-panel-app-secret';
      const ch = await pageAPI(adm.page, 'POST', '/api/v1/channels', {
        name: 'Contact desk', phone_number_id: '990044000101', display_phone_number: '', waba_id: '990044000100',
        graph_url: srv.emulator, mark_read: false, access_token: 'e2e-contact-token', app_secret: secret, verify_token: 'e2e-contact-verify',
      });
      assert.equal(ch.status, 201, JSON.stringify(ch.json));
      // The ingest worker looks for a new channel at most once a second:
      // a webhook that came too early is sent again (a new message id).
      const postHook = async (n) => {
        const body = JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [{ id: '990044000100', changes: [{ field: 'messages', value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '4930444', phone_number_id: '990044000101' },
            contacts: [{ profile: { name: cust.name }, wa_id: cust.wa_id }],
            messages: [{ from: cust.wa_id, id: `wamid.e2e-contact-panel-${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Ich schreibe auch an die zweite Nummer.' } }],
          } }] }],
        });
        const hook = await fetch(`${srv.base}/webhooks/whatsapp`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
          body,
        });
        assert.equal(hook.status, 200, await hook.text());
      };
      await postHook(0);
      let convs = [];
      for (let i = 1; convs.length < 2; i++) {
        assert.ok(i < 200, `the conversations did not arrive: ${JSON.stringify(convs)}`);
        const r = await pageAPI(adm.page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(cust.name)}`);
        convs = r.json?.items ?? [];
        if (convs.length < 2) {
          if (i % 15 === 0) await postHook(i);
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      const main = convs.find((c) => c.last_message?.text === 'Wann kommt meine Lieferung?');
      const other = convs.find((c) => c.id !== main?.id);
      assert.ok(main && other, JSON.stringify(convs));

      await adm.page.goto(`${srv.base}/c/${main.id}`);
      await adm.page.getByRole('heading', { name: cust.name, level: 1 }).waitFor();
      await adm.page.getByTestId('contact-panel-toggle').click();
      const panel = adm.page.getByTestId('contact-panel');
      await panel.getByTestId('contact-phone').waitFor();
      assert.equal(await panel.getByTestId('contact-name').textContent(), cust.name);
      // The earlier conversation on the other number is listed.
      await panel.getByTestId('contact-conversation').filter({ hasText: 'Ich schreibe auch an die zweite Nummer.' }).waitFor();

      // The administrator defines a list field.
      await panel.getByText('Manage fields').click();
      await panel.getByTestId('attr-new-name').fill('Tier');
      await panel.getByTestId('attr-new-type').selectOption('list');
      await panel.getByTestId('attr-new-options').fill('Gold, Silver');
      await panel.getByTestId('attr-new-add').click();
      const tier = panel.getByTestId('attr-Tier');
      await tier.waitFor();

      // The operator opens the same panel on a phone, as a sheet.
      await op.page.goto(`${srv.base}/c/${main.id}`);
      await op.page.getByRole('heading', { name: cust.name, level: 1 }).waitFor();
      await op.page.getByTestId('contact-panel-toggle').click();
      const opPanel = op.page.getByTestId('contact-panel');
      const opTier = opPanel.getByTestId('attr-Tier');
      await opTier.waitFor();
      const box = await opPanel.boundingBox();
      assert.ok(box && box.width === 390, `the sheet covers the phone's width: ${JSON.stringify(box)}`);

      // A value and a note, seen by the operator without reloading.
      await tier.selectOption('Gold');
      await panel.getByTestId('contact-attributes-save').click();
      await panel.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await op.page.waitForFunction(() => document.querySelector('[data-testid="attr-Tier"]')?.value === 'Gold', null, { timeout: 10_000 });
      await panel.getByTestId('contact-note-input').fill('Ruft lieber nachmittags an.');
      await panel.getByTestId('contact-note-add').click();
      await panel.getByTestId('contact-notes').getByText('Ruft lieber nachmittags an.').waitFor();
      await panel.getByTestId('contact-notes').getByText(/Anna Admin/).waitFor();
      await opPanel.getByTestId('contact-notes').getByText('Ruft lieber nachmittags an.').waitFor({ timeout: 10_000 });
      await shot(adm.page, 'contact-panel-desktop-light');
      await shot(op.page, 'contact-panel-phone-light');

      // Esc closes the panel; the earlier conversation opens from it.
      await opPanel.getByTestId('contact-panel-close').focus();
      await op.page.keyboard.press('Escape');
      await opPanel.waitFor({ state: 'detached' });
      await panel.getByTestId('contact-conversation').click();
      await adm.page.waitForURL(`${srv.base}/c/${other.id}`);
      await adm.page.locator('.thread').getByText('Ich schreibe auch an die zweite Nummer.').waitFor();
      assertNoProblems(adm.ctx, 'contact panel (administrator)');
      assertNoProblems(op.ctx, 'contact panel (operator)');
    } finally {
      await adm.ctx.close();
      await op.ctx.close();
    }
  });
});

describe('canned replies and drafts (issue 15)', () => {
  it('canned replies: an operator saves a shared reply, inserts it with / and sends it; a draft survives switching chats and a reload; the administrator sees "is typing"', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const adm = await contextAs(admin, { viewport: { width: 390, height: 844 } });
    try {
      const custA = { wa_id: '4915112345160', name: 'Clara Canned' };
      const custB = { wa_id: '4915112345161', name: 'Bruno Entwurf' };
      const ids = {};
      for (const c of [custA, custB]) {
        const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...c, text: `Hallo von ${c.name}` });
        assert.equal(sent.status, 200, sent.text);
        for (let i = 0; !ids[c.wa_id]; i++) {
          assert.ok(i < 150, 'the conversation did not arrive');
          const r = await pageAPI(op.page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(c.name)}`);
          ids[c.wa_id] = r.json?.items?.[0]?.id ?? '';
          if (!ids[c.wa_id]) await new Promise((res) => setTimeout(res, 100));
        }
      }

      // Administration → Canned replies (the operator has canned_replies.manage).
      await op.page.goto(`${srv.base}/`);
      await op.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Canned replies' }).click();
      await op.page.getByRole('heading', { name: 'Shared canned replies' }).waitFor();
      await op.page.getByTestId('canned-shared-shortcut').fill('gruss');
      await op.page.getByTestId('canned-shared-text').fill('Guten Tag {{kunde}}');
      await op.page.getByText('Unknown variable {{kunde}}: use {{customer.name}}, {{agent.name}} or {{business.name}}.').waitFor();
      assert.ok(await op.page.getByTestId('canned-shared-save').isDisabled());
      await op.page.getByTestId('canned-shared-text').fill('Guten Tag {{customer.name}}, hier ist {{agent.name}}.');
      await op.page.getByTestId('canned-shared-save').click();
      await op.page.getByTestId('canned-shared-row').filter({ hasText: '/gruss' }).waitFor();

      // The administrator, who sees every chat, has it open too.
      await adm.page.goto(`${srv.base}/c/${ids[custA.wa_id]}`);
      await adm.page.getByRole('heading', { name: custA.name }).waitFor();

      // In the chat: "/gru" opens the menu, Enter inserts the rendered text, Enter sends.
      await op.page.goto(`${srv.base}/c/${ids[custA.wa_id]}`);
      await op.page.getByRole('heading', { name: custA.name }).waitFor();
      const input = op.page.locator('#composer-input');
      await input.click();
      await input.pressSequentially('/gru');
      const option = op.page.getByTestId('canned-menu').getByRole('option').filter({ hasText: '/gruss' });
      await option.waitFor();
      assert.equal(await input.getAttribute('aria-expanded'), 'true');
      assert.equal(await option.getAttribute('aria-selected'), 'true');
      await shot(op.page, 'canned-menu-desktop-light');

      // The administrator is told that Olga is typing.
      await adm.page.getByTestId('composer-writers').filter({ hasText: 'Olga Operator is typing…' }).waitFor({ timeout: 10_000 });
      await shot(adm.page, 'composer-writers-phone-light');
      await op.page.keyboard.press('Enter');
      const rendered = 'Guten Tag Clara Canned, hier ist Olga Operator.';
      await op.page.waitForFunction((want) => document.querySelector('#composer-input')?.value === want, rendered);
      await op.page.getByTestId('canned-menu').waitFor({ state: 'detached' });
      await input.pressSequentially(' Wie kann ich helfen?');
      await op.page.keyboard.press('Enter');
      const sentText = `${rendered} Wie kann ich helfen?`;
      await op.page.locator('.thread').getByText(sentText).waitFor();
      let chat = [];
      for (let i = 0; i < 40; i++) {
        chat = (await emulatorAPI(srv.emulator, 'GET', `phone/${custA.wa_id}`)).json ?? [];
        if (chat.some((m) => m.from_business && m.text === sentText)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(chat.some((m) => m.from_business && m.text === sentText), JSON.stringify(chat));

      // Esc closes the menu without inserting; the / stays text.
      await input.pressSequentially('/gr');
      await op.page.getByTestId('canned-menu').getByRole('option').first().waitFor();
      await op.page.keyboard.press('Escape');
      await op.page.getByTestId('canned-menu').waitFor({ state: 'detached' });
      assert.equal(await input.inputValue(), '/gr');
      await input.fill('');

      // A draft in B survives switching to A and back, and a reload (it is on the server).
      await op.page.getByTestId('conv-row').filter({ hasText: custB.name }).click();
      await op.page.getByRole('heading', { name: custB.name }).waitFor();
      const saved = op.page.waitForResponse((r) => r.request().method() === 'PUT' && /\/draft$/.test(r.url()) && r.status() === 200);
      await input.click();
      await input.pressSequentially('Lieber Bruno, Ihr Paket');
      await saved;
      await op.page.getByTestId('conv-row').filter({ hasText: custA.name }).click();
      await op.page.getByRole('heading', { name: custA.name }).waitFor();
      assert.equal(await input.inputValue(), '');
      await op.page.getByTestId('conv-row').filter({ hasText: custB.name }).click();
      await op.page.getByRole('heading', { name: custB.name }).waitFor();
      assert.equal(await input.inputValue(), 'Lieber Bruno, Ihr Paket');
      await op.page.reload();
      await op.page.getByRole('heading', { name: custB.name }).waitFor();
      await op.page.waitForFunction(() => document.querySelector('#composer-input')?.value === 'Lieber Bruno, Ihr Paket');
      const draft = await pageAPI(op.page, 'GET', `/api/v1/conversations/${ids[custB.wa_id]}/draft`);
      assert.equal(draft.json?.text, 'Lieber Bruno, Ihr Paket');
      // Sending clears it on the server.
      await input.press('End');
      await input.pressSequentially(' ist unterwegs.');
      await op.page.keyboard.press('Enter');
      await op.page.locator('.thread').getByText('Lieber Bruno, Ihr Paket ist unterwegs.').waitFor();
      for (let i = 0; ; i++) {
        const d = await pageAPI(op.page, 'GET', `/api/v1/conversations/${ids[custB.wa_id]}/draft`);
        if (d.json?.text === '') break;
        assert.ok(i < 40, `the draft was not cleared: ${d.text}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // On a phone: the shared list under Administration, a personal reply under My account.
      await adm.page.goto(`${srv.base}/admin/canned-replies`);
      await adm.page.getByTestId('canned-shared-row').filter({ hasText: '/gruss' }).waitFor();
      await shot(adm.page, 'canned-shared-phone-light');
      await adm.page.goto(`${srv.base}/account`);
      await adm.page.getByTestId('canned-personal-shortcut').fill('danke');
      await adm.page.getByTestId('canned-personal-text').fill('Vielen Dank, {{customer.name}}!');
      await adm.page.getByTestId('canned-personal-save').click();
      await adm.page.getByTestId('canned-personal-row').filter({ hasText: '/danke' }).waitFor();
      await adm.page.getByTestId('canned-personal-panel').scrollIntoViewIfNeeded();
      await shot(adm.page, 'canned-personal-phone-light');
      // Olga does not see Anna's personal reply.
      const olgas = await pageAPI(op.page, 'GET', '/api/v1/canned-replies');
      assert.deepEqual(olgas.json.items.map((r) => r.shortcut), ['gruss']);
      assertNoProblems(op.ctx, 'canned replies (operator)');
      assertNoProblems(adm.ctx, 'canned replies (administrator)');
    } finally {
      await op.ctx.close();
      await adm.ctx.close();
    }
  });
});

describe('message search (issue 15)', () => {
  it('message search: words are found case-insensitively in Cyrillic and German, an employee finds only their own conversations, and a hit opens its conversation with the message highlighted', async (t) => {
    if (!srv.emulator) return t.skip('needs the emulator');
    const op = await contextAs(operator, { viewport: { width: 1280, height: 800 } });
    const emp = await contextAs(employee, { viewport: { width: 390, height: 844 } });
    try {
      const mine = { wa_id: '4915112345160', name: 'Pavel Paket' };
      const other = { wa_id: '4915112345161', name: 'Stefan Straße' };
      for (const [c, text] of [
        [mine, 'Привет! Где моя ПОСЫЛКА? Жду с понедельника.'],
        [other, 'Die Posylka-Nummer steht in der STRASSE 5. посылка пришла'],
      ]) {
        const sent = await emulatorAPI(srv.emulator, 'POST', 'customers/send', { ...c, text });
        assert.equal(sent.status, 200, sent.text);
      }
      const idOf = async (name) => {
        for (let i = 0; ; i++) {
          assert.ok(i < 150, `the conversation of ${name} did not arrive`);
          const r = await pageAPI(op.page, 'GET', `/api/v1/conversations?status=&q=${encodeURIComponent(name)}`);
          const id = r.json?.items?.[0]?.id ?? '';
          if (id) return id;
          await new Promise((res) => setTimeout(res, 100));
        }
      };
      const count = async (loc, n) => {
        for (let i = 0; (await loc.count()) !== n; i++) {
          assert.ok(i < 100, `${await loc.count()} search hits, want ${n}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      };
      const mineId = await idOf(mine.name);
      const otherId = await idOf(other.name);
      const me = await pageAPI(emp.page, 'GET', '/api/v1/me');
      const assigned = await pageAPI(op.page, 'PUT', `/api/v1/conversations/${mineId}/assignees/${me.json.id ?? me.json.user?.id}`);
      assert.equal(assigned.status, 200, assigned.text);

      // The operator, on a desktop: both conversations.
      await op.page.goto(`${srv.base}/`);
      await op.page.getByTestId('search-mode-messages').click();
      await op.page.getByTestId('search-input').fill('посылка');
      const opHits = op.page.getByTestId('message-search-hit');
      await count(opHits, 2);
      // Both customers wrote within one second (WhatsApp's timestamps are
      // whole seconds), so their order is a tie: find each by name.
      const otherHit = opHits.filter({ hasText: other.name });
      await otherHit.waitFor();
      await otherHit.locator('mark', { hasText: 'посылка' }).waitFor();
      await opHits.filter({ hasText: mine.name }).locator('mark', { hasText: 'ПОСЫЛКА' }).waitFor();
      // German: STRASSE finds Straße and the other way round.
      await op.page.getByTestId('search-input').fill('straße');
      await count(opHits, 1);
      await opHits.first().locator('mark', { hasText: 'STRASSE' }).waitFor();
      await shot(op.page, 'message-search-desktop-light');

      // The employee, on a phone, with the keyboard: "/" focuses the
      // search, Tab reaches the mode switch.
      await emp.page.goto(`${srv.base}/`);
      await emp.page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
      await emp.page.getByTestId('search-mode-messages').focus();
      await emp.page.keyboard.press('Enter');
      assert.equal(await emp.page.getByTestId('search-mode-messages').getAttribute('aria-pressed'), 'true');
      await emp.page.getByTestId('search-input').fill('ПОСЫЛКА');
      const empHits = emp.page.getByTestId('message-search-hit');
      await empHits.first().waitFor();
      // Only the assigned conversation: the other is not theirs.
      await count(empHits, 1);
      await empHits.first().getByText(mine.name).waitFor();
      const api = await pageAPI(emp.page, 'GET', `/api/v1/search/messages?q=${encodeURIComponent('посылка')}`);
      assert.deepEqual(
        api.json.items.map((h) => h.conversation_id),
        [mineId],
      );
      assert.ok(!JSON.stringify(api.json).includes(otherId));
      await shot(emp.page, 'message-search-phone-light');
      await empHits.first().click();
      await emp.page.getByRole('heading', { name: mine.name }).waitFor();
      const hit = emp.page.locator('.msg-hit');
      await hit.waitFor();
      await hit.getByText('Где моя ПОСЫЛКА').waitFor();
      assert.ok(await hit.isVisible());
      assertNoProblems(op.ctx, 'message search (operator)');
      assertNoProblems(emp.ctx, 'message search (employee)');
    } finally {
      await op.ctx.close();
      await emp.ctx.close();
    }
  });
});
