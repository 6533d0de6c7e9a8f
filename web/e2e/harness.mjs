// The end-to-end harness: builds and starts the real switchboard binary on
// loopback ports with a throw-away data directory, serves the built web app
// (through the binary itself, or through a small same-origin proxy while the
// binary does not embed it yet), and drives Debian's Chromium with
// playwright-core. It never downloads a browser.

import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const webDir = resolve(new URL('..', import.meta.url).pathname);
export const repoDir = resolve(webDir, '..');
export const resultsDir = join(webDir, 'test-results');
export const screenshotDir = join(resultsDir, 'screenshots');

// Must match internal/api/server.go, so the proxy does not hide a CSP problem.
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** buildBinary compiles cmd/switchboard once per run (or takes SWITCHBOARD_BIN). */
export function buildBinary() {
  if (process.env.SWITCHBOARD_BIN) return process.env.SWITCHBOARD_BIN;
  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, 'switchboard');
  const r = spawnSync('go', ['build', '-o', out, './cmd/switchboard'], { cwd: repoDir, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`go build ./cmd/switchboard failed (the Go tree may be mid-change):\n${r.stderr || r.stdout}`);
  }
  return out;
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * startProxy serves web/dist like internal/api/spa.go does (SPA fallback,
 * CSP) and forwards everything else, WebSocket upgrades included, to the Go
 * server, keeping the Host header so origin checks see one site.
 */
function startProxy(port, target) {
  const dist = join(webDir, 'dist');
  const forward = (p) => p.startsWith('/api/') || p.startsWith('/webhooks/') || p === '/healthz' || p === '/readyz' || p === '/metrics';
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (forward(path)) {
      const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
      return;
    }
    let file = normalize(join(dist, decodeURIComponent(path)));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    res.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(target, '127.0.0.1', () => {
      let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(`${raw}\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const end = () => {
      up.destroy();
      socket.destroy();
    };
    up.on('error', end);
    socket.on('error', end);
  });
  return new Promise((res) => server.listen(port, '127.0.0.1', () => res(server)));
}

/**
 * startServer runs `switchboard serve` with a temporary data dir and the
 * built-in emulator on its own port, and waits for the setup link.
 *
 * With { localhost: true } the server's public URL is http://localhost:<port>
 * and base uses that host too: a secure context with a domain name, as
 * WebAuthn (passkeys) needs; the emulator is off then. It needs the binary
 * to embed web/dist (npm run build first), since the page's origin must be
 * the server's own.
 */
export async function startServer(opts = {}) {
  const bin = buildBinary();
  if (opts.localhost) return startWith(bin, { SWITCHBOARD_EMULATOR: 'off' }, { localhost: true });
  try {
    return await startWith(bin, {});
  } catch (err) {
    // A binary whose emulator does not start still serves everything else:
    // run without it, and let the customer flows skip saying why.
    if (!/emulator/i.test(String(err.message))) throw err;
    const s = await startWith(bin, { SWITCHBOARD_EMULATOR: 'off' });
    s.emulatorError = String(err.message).split('\n').find((l) => /emulator/i.test(l) && /switchboard:/.test(l)) ?? 'emulator failed';
    return s;
  }
}

async function startWith(bin, extraEnv, opts = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  const port = await freePort();
  const emulatorPort = await freePort();
  const env = {
    ...process.env,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_ADDR: `127.0.0.1:${port}`,
    SWITCHBOARD_EMULATOR_ADDR: `127.0.0.1:${emulatorPort}`,
    SWITCHBOARD_EMULATOR_CUSTOMERS: '0',
    SWITCHBOARD_LOG_LEVEL: 'warn',
    ...(opts.localhost ? { SWITCHBOARD_PUBLIC_URL: `http://localhost:${port}` } : {}),
    ...extraEnv,
  };
  let proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b) => (out += b));
  proc.stderr.on('data', (b) => (err += b));
  const exited = (p) =>
    new Promise((r) => {
      if (p.exitCode !== null || p.signalCode !== null) return r();
      const t = setTimeout(() => {
        p.kill('SIGKILL');
        r();
      }, 10_000);
      p.on('exit', () => {
        clearTimeout(t);
        r();
      });
    });

  const token = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no setup link within 60 s.\nstdout:\n${out}\nstderr:\n${err}`)), 60_000);
    const check = () => {
      const m = /\/setup#token=([A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`switchboard exited with ${code}.\nstdout:\n${out}\nstderr:\n${err}`));
    });
    check();
  });
  // The emulator line comes with the setup link or just before it.
  await new Promise((r) => setTimeout(r, 200));
  const em = /chat as a customer at (https?:\/\/\S+)/.exec(out);
  const emulator = em ? new URL(em[1]).origin : '';

  const goBase = `http://127.0.0.1:${port}`;
  const index = await fetch(`${goBase}/`).then((r) => r.text());
  let base = opts.localhost ? `http://localhost:${port}` : goBase;
  let proxy = null;
  if (!index.includes('<div id="root">')) {
    if (opts.localhost) {
      proc.kill('SIGTERM');
      await exited(proc);
      throw new Error('startServer({ localhost: true }) needs the binary to embed web/dist: run npm run build first');
    }
    // The binary does not embed web/dist yet (cmd/switchboard/assets.go).
    const pport = await freePort();
    proxy = await startProxy(pport, port);
    base = `http://127.0.0.1:${pport}`;
  }
  return {
    base,
    token,
    emulator,
    emulatorError: '',
    servedByBinary: !proxy,
    stdout: () => out,
    stderr: () => err,
    /** down stops the server (SIGTERM) and keeps its data, for an outage; up starts it again on the same ports. */
    async down() {
      proc.kill('SIGTERM');
      await exited(proc);
    },
    async up() {
      proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout.on('data', (b) => (out += b));
      proc.stderr.on('data', (b) => (err += b));
      const until = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${goBase}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        if (proc.exitCode !== null || Date.now() > until) throw new Error(`switchboard did not come back.\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      proxy?.close();
      proc.kill('SIGTERM');
      await exited(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 375, height: 812 };

/** variants are the four screenshot looks: desktop and phone, light and dark. */
export const variants = [
  { name: 'desktop-light', viewport: desktop, colorScheme: 'light' },
  { name: 'desktop-dark', viewport: desktop, colorScheme: 'dark' },
  { name: 'phone-light', viewport: phone, colorScheme: 'light' },
  { name: 'phone-dark', viewport: phone, colorScheme: 'dark' },
];

/** newContext opens a browser context that records console errors and CSP violations. */
export async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: desktop, ...opts });
  ctx.problems = [];
  ctx.on('page', (p) => watch(ctx, p));
  return ctx;
}

function watch(ctx, page) {
  page.on('console', (m) => {
    if (m.type() === 'error') ctx.problems.push(m.text());
  });
  page.on('pageerror', (e) => ctx.problems.push(String(e)));
}

export async function shot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** api calls the JSON API with a page's cookies, from inside the page (same origin). */
export async function pageAPI(page, method, path, body) {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, {
        method: m,
        headers: b ? { 'Content-Type': 'application/json' } : {},
        body: b ? JSON.stringify(b) : undefined,
      });
      const text = await r.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: r.status, json };
    },
    [method, path, body],
  );
}

/** emulator calls the emulator's control API. */
export async function emulatorAPI(base, method, path, body) {
  const r = await fetch(`${base}/emulator/api/${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, json, text };
}

export async function login(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Login', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** solidPNG makes a one-colour PNG of the given size, for upload tests. */
export function solidPNG(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
