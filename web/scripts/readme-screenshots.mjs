// readme-screenshots starts Switchboard as `make run` does (SQLite and the
// built-in emulator with virtual customers), lets customers write in for a
// while, and takes the README's screenshots into docs/screenshots/.
//   go build -o /tmp/switchboard ./cmd/switchboard
//   SWITCHBOARD_BIN=/tmp/switchboard node web/scripts/readme-screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { freePort, repoDir } from '../e2e/harness.mjs';

const bin = process.env.SWITCHBOARD_BIN || join(repoDir, 'bin', 'switchboard');
const port = await freePort();
const emulatorPort = await freePort();
const base = `http://127.0.0.1:${port}`;
const proc = spawn(bin, ['serve'], {
  env: {
    ...process.env,
    SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-shots-')),
    SWITCHBOARD_ADDR: `127.0.0.1:${port}`,
    SWITCHBOARD_EMULATOR_ADDR: `127.0.0.1:${emulatorPort}`,
    SWITCHBOARD_EMULATOR_CUSTOMERS: '3',
    SWITCHBOARD_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
const token = await new Promise((resolve, reject) => {
  proc.stdout.on('data', (b) => {
    out += b;
    const m = /\/setup#token=([A-Za-z0-9_-]+)/.exec(out);
    if (m) resolve(m[1]);
  });
  proc.on('exit', (code) => reject(new Error(`switchboard exited with ${code}`)));
});
try {
  const r = await fetch(`${base}/api/v1/setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ token, login: 'ada', name: 'Ada Admin', password: 'a long passphrase' }),
  });
  if (!r.ok) throw new Error(`setup: ${r.status} ${await r.text()}`);
  // Let the virtual customers fill the inbox.
  await new Promise((r) => setTimeout(r, 25_000));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Login', { exact: true }).fill('ada');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  await page.getByTestId('conv-row').first().waitFor();
  await new Promise((r) => setTimeout(r, 1_500)); // counts are re-read about once a second
  await page.screenshot({ path: join(repoDir, 'docs', 'screenshots', 'operator-inbox.png') });
  await browser.close();
} finally {
  proc.kill('SIGTERM');
}
