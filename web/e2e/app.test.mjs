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
import { readFileSync } from 'node:fs';
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

    // Built-in roles open read-only.
    await page.getByRole('button', { name: 'Role Administrator' }).click();
    await page.getByText('Built-in roles cannot be changed.', { exact: false }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).first().click();

    await page.goto(`${srv.base}/admin/channels`);
    await page.getByTestId('webhook-url').waitFor();
    assert.match(await page.getByTestId('webhook-url').innerText(), /^http:\/\/127\.0\.0\.1:\d+\/webhooks\/whatsapp$/);

    await page.goto(`${srv.base}/admin/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    assert.ok((await page.getByTestId('audit-row').count()) >= 5, 'setup, user and role actions are audited');
    await page.getByLabel('Action').fill('user.create');
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
    const dialog = op.page.getByRole('dialog', { name: new RegExp(`Assign employees: ${customer.name}`) });
    await dialog.getByPlaceholder('Search employees').fill('Emil');
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
          dialog.getByRole('button', { name: 'Save' }).click(),
        ]).then(([r]) => r);

      // Out of range: refused in the form, nothing is sent.
      let { dialog, field } = await edit();
      await field.fill('5000');
      await dialog.getByRole('button', { name: 'Save' }).click();
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
      assert.equal(await page.getByRole('button', { name: 'More actions' }).count(), 0, `${who}: no contact menu`);
      assert.equal(await page.getByText('Export contact data').count(), 0, `${who}: no export`);
      assert.equal(await page.getByText('Erase contact…').count(), 0, `${who}: no erasure`);
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
      }
      await shot(page, `reports-desktop-${colorScheme}`);
      assertNoProblems(ctx, `reports ${colorScheme}`);
      await ctx.close();
    }
  });
});
