#!/usr/bin/env node
// End-to-end test of the web UI in real Chromium against the real embedded server.
//
//   RENDERMART_BIN=/path/to/rendermart npm --prefix frontend run e2e
//
// Starts `rendermart serve --port 0` on a fresh data dir (SQLite, local files, offline
// engine), drives Debian's /usr/bin/chromium through playwright-core, saves a screenshot of
// every step, and ends with "e2e: N passed, N failed" (exit code 1 on any failure).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { crc32, deflateSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontendDir = path.resolve(here, '..');
const repoDir = path.resolve(frontendDir, '..');
const distDir = path.join(frontendDir, 'dist');
const screenshotDir = path.resolve(process.env.E2E_SCREENSHOT_DIR ?? path.join(here, 'screenshots'));
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repoDir, 'target');
const bin = process.env.RENDERMART_BIN ?? path.join(targetDir, 'debug', 'rendermart');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 30000);

const log = (...a) => console.log('[e2e]', ...a);
// Loaded into every page as an init script through the DevTools protocol, which the page's
// Content-Security-Policy does not govern (a <script> tag added to the page would be refused
// by script-src 'self').
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch {
      // Best effort: the run is over either way.
    }
  }
}

/** Starts the server and resolves with the base URL it prints. */
function startServer(dataDir) {
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin} (set RENDERMART_BIN or build with cargo build -p api)`);
  const env = {
    ...process.env,
    RENDERMART_DATA_DIR: dataDir,
    RENDERMART_FRONTEND_DIR: process.env.RENDERMART_FRONTEND_DIR ?? distDir,
    // Slow the offline engine down so the progress bar is visible for a while.
    RENDERMART_OFFLINE_STEP_MS: process.env.RENDERMART_OFFLINE_STEP_MS ?? '150',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    cwd: repoDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  cleanups.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed no URL within 60 s:\n${output.join('')}`)), 60000);
    const onData = (chunk) => {
      const text = chunk.toString();
      output.push(text);
      if (process.env.E2E_SERVER_LOG) process.stderr.write(text);
      const m = text.match(/https?:\/\/[^\s"'<>]+/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0].replace(/\/+$/, ''), output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
}

/** The server serves frontend/dist itself; until it does, serve it through vite preview's proxy. */
async function frontendUrl(apiUrl) {
  const res = await fetch(`${apiUrl}/explore`, { headers: { Accept: 'text/html' } }).catch(() => null);
  const html = res && res.ok ? await res.text() : '';
  if (html.includes('<div id="root">')) {
    log(`the server serves frontend/dist at ${apiUrl}/ with client-route fallback`);
    return apiUrl;
  }
  if (process.env.E2E_REQUIRE_EMBEDDED_FRONTEND) {
    throw new Error(`${apiUrl}/explore did not return frontend/dist's index.html (status ${res?.status})`);
  }
  log(`WARNING: ${apiUrl}/explore is not the SPA (status ${res?.status}); serving frontend/dist with vite preview, /api proxied to the server`);
  process.env.RENDERMART_API_URL = apiUrl;
  const { preview } = await import('vite');
  const server = await preview({ root: frontendDir, preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  cleanups.push(() => server.close());
  const url = server.resolvedUrls?.local?.[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return url.replace(/\/+$/, '');
}

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(screenshotDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

/** Waits until an image with this alt text has really loaded (its signed URL works). */
async function imageLoaded(page, alt) {
  await page.waitForFunction(
    (text) => [...document.querySelectorAll('img')].some((i) => i.alt === text && i.complete && i.naturalWidth > 0),
    alt,
  );
}

/** Every form control has a label and every button or link a name, on the page as it is now. */
async function checkAccessibleNames(page, where) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) out.push(`unlabelled <${el.tagName.toLowerCase()} name="${el.getAttribute('name') ?? ''}">`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      const imgs = [...el.querySelectorAll('img')].map((i) => i.alt).join(' ');
      const name = (el.getAttribute('aria-label') || el.textContent || imgs || '').trim();
      if (!name) out.push(`nameless ${el.outerHTML.slice(0, 100)}`);
    }
    for (const img of document.querySelectorAll('img')) {
      if (!img.hasAttribute('alt')) out.push(`img without alt ${img.src.slice(0, 60)}`);
    }
    return out;
  });
  if (problems.length > 0) throw new Error(`accessibility problems on ${where}:\n  ${problems.join('\n  ')}`);

  // axe-core's WCAG 2 A/AA rules on top; serious and critical findings fail the run.
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length > 0) throw new Error(`axe finds problems on ${where}:\n  ${violations.join('\n  ')}`);
}

/** Collects console errors (CSP violations included) and loads axe-core into every document. */
async function watchPage(page, consoleErrors) {
  // Awaited: a script registered after the first navigation started would miss that document.
  await page.addInitScript({ content: axeSource });
  // Every Content-Security-Policy violation counts as a console error, whether or not the
  // browser logs it to the console itself.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} refused ${e.blockedURI || 'inline code'} (${e.sourceFile || e.documentURI}:${e.lineNumber})`);
    });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    if (msg.type() === 'warning') log(`console warning: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
}

const account = {
  email: `e2e-${Date.now().toString(36)}@example.com`,
  password: 'correct horse battery staple',
  prompt: `A lighthouse on a cliff at dusk, e2e ${Date.now().toString(36)}`,
};

async function scenario(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  const { email, password, prompt } = account;

  log('1. sign up from the home page');
  const home = await page.goto(`${baseUrl}/`);
  // The CSP checks below mean something only when the page has a policy.
  if (!home?.headers()['content-security-policy']?.includes("script-src 'self'")) {
    throw new Error(`the home page has no Content-Security-Policy: ${JSON.stringify(home?.headers())}`);
  }
  await page.getByRole('heading', { name: 'Type a prompt. Watch it render.' }).waitFor();
  await screenshot(page, 'home');
  await checkAccessibleNames(page, 'home');
  await page.getByRole('banner').getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Display name').fill('E2E Tester');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await screenshot(page, 'signup');
  await checkAccessibleNames(page, 'sign up');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/generate$/);

  log('2. generate with the offline engine');
  const modelSelect = page.getByLabel('Model', { exact: true });
  await modelSelect.waitFor();
  const offlineOption = await modelSelect.locator('option', { hasText: /offline/i }).filter({ hasText: /no AI/i }).first().getAttribute('value');
  if (!offlineOption) throw new Error('no model is labelled offline, no AI');
  await modelSelect.selectOption(offlineOption);
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
  await screenshot(page, 'generate-form');
  await checkAccessibleNames(page, 'generate');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();

  const bar = page.getByRole('progressbar').first();
  await bar.waitFor({ state: 'visible' });
  const seen = new Set();
  let shotRunning = false;
  let previewSeen = false;
  // Sample the bar while it lives: it must move, not just appear.
  const sampleUntil = Date.now() + STEP_TIMEOUT;
  while (Date.now() < sampleUntil) {
    const v = await bar.getAttribute('aria-valuenow', { timeout: 500 }).catch(() => null);
    if (v === null) break;
    seen.add(Number(v));
    if (!previewSeen && (await page.getByAltText(`Preview of: ${prompt}`, { exact: true }).count()) > 0) {
      previewSeen = await page.evaluate(
        (alt) => [...document.querySelectorAll('img')].some((i) => i.alt === alt && i.src.startsWith('data:image/')),
        `Preview of: ${prompt}`,
      );
    }
    if (seen.size >= 2 && !shotRunning) {
      shotRunning = true;
      await screenshot(page, 'generate-running');
    }
    await page.waitForTimeout(100);
  }
  log(`progress values seen: ${[...seen].sort((a, b) => a - b).join(', ')}`);
  if (seen.size < 2) throw new Error(`the progress bar did not move (values: ${[...seen].join(', ')})`);
  // The offline engine sends low-resolution previews as data URLs while it draws.
  log(`engine preview shown while running: ${previewSeen}`);
  if (!previewSeen) throw new Error("the engine's preview never appeared while the job ran");

  const result = page.getByRole('list', { name: 'Generated images' }).getByAltText(prompt, { exact: true }).first();
  await result.waitFor({ state: 'visible' });
  await imageLoaded(page, prompt);
  await screenshot(page, 'generate-done');

  log('3. reload: still logged in, the image is in the gallery');
  await page.reload();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gallery' }).click();
  await page.waitForURL(/\/gallery/);
  const tile = page.getByRole('list', { name: 'Images' }).getByAltText(prompt, { exact: true });
  await tile.waitFor({ state: 'visible' });
  await imageLoaded(page, prompt);
  await screenshot(page, 'gallery');
  await checkAccessibleNames(page, 'gallery');

  log('4. open it and publish it');
  await tile.click();
  await page.waitForURL(/\/images\//);
  await page.getByRole('complementary', { name: 'Image details' }).waitFor();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.getByRole('button', { name: 'Unpublish', exact: true }).waitFor();
  await screenshot(page, 'image-published');
  await checkAccessibleNames(page, 'image view');

  log('5. log out; the image is in Explore');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('banner').getByRole('link', { name: 'Log in' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
  await page.waitForURL(/\/explore$/);
  await page.getByRole('list', { name: 'Images' }).getByAltText(prompt, { exact: true }).waitFor({ state: 'visible' });
  await imageLoaded(page, prompt);
  await screenshot(page, 'explore-logged-out');
  await page.getByRole('list', { name: 'Images' }).getByAltText(prompt, { exact: true }).click();
  await page.getByRole('complementary', { name: 'Image details' }).getByText(prompt).waitFor();
  await imageLoaded(page, prompt);
  if (await page.getByRole('button', { name: /Publish|Delete/ }).count()) throw new Error('a visitor is offered the owner’s actions');
  await screenshot(page, 'explore-image-logged-out');

  log('6. phone width in dark mode: the same checks for names and contrast');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true });
  const phonePage = await phone.newPage();
  await watchPage(phonePage, consoleErrors);
  await phonePage.goto(`${baseUrl}/explore`);
  await phonePage.getByAltText(prompt, { exact: true }).waitFor({ state: 'visible' });
  await imageLoaded(phonePage, prompt);
  await screenshot(phonePage, 'explore-phone-dark');
  await checkAccessibleNames(phonePage, 'explore phone dark');
  await phonePage.goto(`${baseUrl}/login`);
  await phonePage.getByLabel('Email').fill(email);
  await phonePage.getByLabel('Password').fill(password);
  await phonePage.getByRole('button', { name: 'Log in' }).click();
  await phonePage.waitForURL(/\/generate$/);
  await phonePage.getByLabel('Prompt', { exact: true }).waitFor();
  await screenshot(phonePage, 'generate-phone-dark');
  await checkAccessibleNames(phonePage, 'generate phone dark');
  // Every link of the main navigation is on screen whole, none cut off at the edge.
  const cutOff = await phonePage.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((links) =>
    links
      .filter((a) => {
        const r = a.getBoundingClientRect();
        return r.left < 0 || r.right > window.innerWidth || a.scrollWidth > a.clientWidth;
      })
      .map((a) => a.textContent),
  );
  if (cutOff.length > 0) throw new Error(`at 390 px the navigation cuts off: ${cutOff.join(', ')}`);
  await phone.close();

  if (consoleErrors.length > 0) {
    throw new Error(`the browser console shows errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  await context.close();
}

/** The rest of the image tool: what a person sees when things go wrong, and the image actions. */
async function actionsAndErrors(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  // The API's refusals are answered with HTTP 200 + errors, so the console stays clean; a
  // wrong password on a stricter server could log a 401 resource error, which we allow here.
  const allowed = (e) => /status of 401/.test(e);

  log('10. signing up with a taken email says so at the email field');
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Display name').fill('Someone Else');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('input[name=email][aria-invalid=true]').waitFor();
  await page.getByText(/already exists/).waitFor();
  await screenshot(page, 'signup-taken-email');

  log('11. a wrong password gets a sentence, not a code');
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  if (!/could not confirm who you are/i.test(text) || /UNAUTHENTICATED/.test(text)) throw new Error(`unexpected log-in error text: ${text}`);
  await screenshot(page, 'login-wrong-password');
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/generate$/);

  log('12. cancel a running job, then retry it from History');
  const slow = `${account.prompt} (cancelled)`;
  await page.getByLabel('Prompt', { exact: true }).fill(slow);
  const count = page.getByLabel('Number of images');
  if (await count.count()) {
    const options = await count.locator('option').allTextContents();
    await count.selectOption(options[options.length - 1]);
  }
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Cancelled.').waitFor();
  await screenshot(page, 'generate-cancelled');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  const cancelled = page.locator('li[data-status=CANCELLED]').filter({ hasText: slow });
  await cancelled.waitFor();
  await cancelled.getByRole('button', { name: /^Retry/ }).click();
  await page.waitForFunction(
    (t) => [...document.querySelectorAll('li[data-status=SUCCEEDED]')].some((li) => li.textContent.includes(t)),
    slow,
    { timeout: STEP_TIMEOUT * 2 },
  );
  await screenshot(page, 'history-retried');

  log('13. favourite an image; the favourites filter shows it');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gallery' }).click();
  await page.getByRole('list', { name: 'Images' }).getByAltText(account.prompt, { exact: true }).click();
  await page.getByRole('button', { name: 'Favourite', exact: true }).click();
  await page.getByRole('button', { name: 'Unfavourite' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gallery' }).click();
  // The full gallery is on screen first: wait for the filtered list itself.
  await page.getByRole('list', { name: 'Images' }).getByAltText(`${account.prompt} (second)`, { exact: true }).waitFor();
  await page.getByRole('button', { name: '★ Favourites' }).click();
  await page.waitForURL(/favorites=1/);
  const onlyFavourite = await page
    .waitForFunction(
      (alt) => {
        const imgs = [...document.querySelectorAll('ul[aria-label=Images] img')];
        return imgs.length === 1 && imgs[0].alt === alt;
      },
      account.prompt,
      { timeout: 10000 },
    )
    .then(() => true, () => false);
  if (!onlyFavourite) {
    const alts = await page.locator('ul[aria-label=Images] img').evaluateAll((imgs) => imgs.map((i) => i.alt));
    throw new Error(`the favourites filter shows ${JSON.stringify(alts)}, not just the favourite`);
  }
  await screenshot(page, 'gallery-favourites');

  log('14. "use these settings" fills the form with the prompt and seed');
  await page.getByRole('list', { name: 'Images' }).getByAltText(account.prompt, { exact: true }).click();
  const seedText = (await page.locator('dt:has-text("Seed") + dd').textContent()).trim();
  await page.getByRole('button', { name: 'Use these settings' }).click();
  await page.waitForURL(/\/generate$/);
  if ((await page.getByLabel('Prompt', { exact: true }).inputValue()) !== account.prompt) throw new Error('the prompt was not filled in');
  if (await page.getByLabel('Random seed').isChecked()) throw new Error('"Random seed" is still on');
  if ((await page.getByLabel('Seed value').inputValue()) !== seedText) throw new Error(`the seed is not ${seedText}`);
  await screenshot(page, 'generate-use-settings');

  log('15. delete an image, after a confirmation');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gallery' }).click();
  const victim = `${account.prompt} (second)`;
  await page.getByRole('list', { name: 'Images' }).getByAltText(victim, { exact: true }).click();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('alertdialog', { name: 'Confirm delete' }).waitFor();
  await screenshot(page, 'image-delete-confirm');
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.waitForURL(/\/gallery$/);
  await page.getByRole('list', { name: 'Images' }).getByAltText(account.prompt, { exact: true }).waitFor();
  if (await page.getByAltText(victim, { exact: true }).count()) throw new Error('the deleted image is still in the gallery');
  await page.reload();
  await page.getByRole('list', { name: 'Images' }).getByAltText(account.prompt, { exact: true }).waitFor();
  if (await page.getByAltText(victim, { exact: true }).count()) throw new Error('the deleted image came back after a reload');

  const errors = consoleErrors.filter((e) => !allowed(e));
  if (errors.length > 0) throw new Error(`the browser console shows errors:\n  ${errors.join('\n  ')}`);
  await context.close();
}

/** The same user, by keyboard where it matters: history, preferences and API keys. */
async function accountPages(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);

  log('7. log in by keyboard');
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/generate$/);

  log('8. history lists the job as done');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  const item = page.getByRole('list', { name: 'Generations' }).getByRole('listitem').filter({ hasText: account.prompt });
  await item.waitFor();
  if ((await item.getAttribute('data-status')) !== 'SUCCEEDED') throw new Error('the job is not SUCCEEDED in History');
  await screenshot(page, 'history');
  await checkAccessibleNames(page, 'history');

  log('8b. a job started elsewhere shows up in History live (myGenerationUpdates), then finishes');
  const other = await context.newPage();
  await watchPage(other, consoleErrors);
  await other.goto(`${baseUrl}/generate`);
  const second = `${account.prompt} (second)`;
  await other.getByLabel('Prompt', { exact: true }).fill(second);
  await other.getByLabel('Prompt', { exact: true }).press('Control+Enter');
  const live = page.getByRole('list', { name: 'Generations' }).getByRole('listitem').filter({ hasText: second });
  await live.waitFor();
  await page.waitForFunction(
    (text) => [...document.querySelectorAll('li[data-status]')].some((li) => li.textContent.includes(text) && li.dataset.status === 'SUCCEEDED'),
    second,
  );
  await screenshot(page, 'history-live');
  await other.close();

  log('9. settings: save defaults, create an API key (shown once), revoke it');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Default negative prompt').fill('blurry, watermark');
  await page.getByRole('button', { name: 'Save defaults' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await page.getByLabel('Key name').fill('e2e-script');
  await page.getByLabel('Key name').press('Enter');
  const secret = await page.getByTestId('api-key-secret').textContent();
  if (!secret || secret.length < 16) throw new Error(`the API key secret looks wrong: ${secret}`);
  // The secret is a bearer token of its own.
  const viewer = await page.evaluate(async (token) => {
    const r = await fetch('/api/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { email } }' }),
    });
    return (await r.json()).data?.viewer?.email;
  }, secret);
  if (viewer !== account.email) throw new Error(`the new API key does not authenticate as the user (got ${viewer})`);
  await screenshot(page, 'settings-key-created');
  await checkAccessibleNames(page, 'settings');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Revoke e2e-script' }).click();
  await page.getByRole('button', { name: 'Yes, revoke e2e-script' }).click();
  await page.getByText('No API keys yet.').waitFor();
  await page.reload();
  if ((await page.getByLabel('Default negative prompt').inputValue()) !== 'blurry, watermark') {
    throw new Error('the saved default negative prompt did not survive a reload');
  }
  await screenshot(page, 'settings');

  if (consoleErrors.length > 0) {
    throw new Error(`the browser console shows errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  await context.close();
}

/** GraphiQL for integrators: bundled in our build, reached through /api/graphql, authenticated as the app. */
async function graphiql(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  // Nothing may come from outside: the page must work with no internet.
  const foreign = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return;
    if (url.origin !== new URL(baseUrl).origin) foreign.push(req.url());
  });

  log('16. log in, then open /api/graphql as a browser does: it lands on the bundled GraphiQL');
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/generate$/);
  await page.goto(`${baseUrl}/api/graphql`);
  await page.waitForURL(/\/graphiql$/);
  await page.getByText(`Requests run as ${account.email}`).waitFor();
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor();
  // The editor is ready once the default query is in it.
  await page.waitForFunction(() => document.querySelector('.graphiql-query-editor')?.textContent?.includes('models'));
  await screenshot(page, 'graphiql');

  log('17. run the default query: models, and the viewer through the logged-in token');
  await run.click();
  const answered = await page
    .waitForFunction(
      (email) => {
        const text = document.querySelector('.graphiql-response')?.textContent ?? '';
        return text.includes(email) && text.includes('offline');
      },
      account.email,
    )
    .then(
      () => true,
      () => false,
    );
  const response = (await page.locator('.graphiql-response').textContent().catch(() => '')) ?? '';
  if (!answered) throw new Error(`GraphiQL did not show the viewer and the models; its response pane says: ${response.slice(0, 500)}`);
  await screenshot(page, 'graphiql-result');

  if (foreign.length > 0) throw new Error(`GraphiQL loaded from other origins:\n  ${foreign.join('\n  ')}`);
  if (consoleErrors.length > 0) {
    throw new Error(`the browser console shows errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  await context.close();
}

/** A webhook receiver on 127.0.0.1 (random port): answers 204 and records every request. */
function startReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      cleanups.push(
        () =>
          new Promise((done) => {
            // The server's HTTP client may keep its connection open: do not wait for it.
            server.closeAllConnections();
            server.close(() => done());
          }),
      );
      resolve({ port: server.address().port, requests });
    });
  });
}

/** The body's `type`, or null when it is not JSON. */
function eventType(request) {
  try {
    return JSON.parse(request.body).type ?? null;
  } catch {
    return null;
  }
}

/** Standard Webhooks: base64(HMAC-SHA256(base64-decoded secret, "id.timestamp.body")), sent as "v1,<sig>". */
function signatureValid(secret, request) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return String(request.headers['webhook-signature']).split(' ').includes(expected);
}

/** A new user's webhook gets the generation.succeeded delivery of their job, signed, and the log shows it. */
async function webhooks(browser, baseUrl) {
  const receiver = await startReceiver();
  const hookUrl = `http://127.0.0.1:${receiver.port}/hook`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  const stamp = Date.now().toString(36);
  const email = `e2e-hooks-${stamp}@example.com`;
  const prompt = `A windmill in a storm, e2e webhooks ${stamp}`;
  const nav = page.getByRole('navigation', { name: 'Main' });

  log(`18. sign up another user (the receiver listens at ${hookUrl})`);
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Display name').fill('E2E Hooks');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/generate$/);

  log('19. Settings → Webhooks: add an endpoint for generation.succeeded; its signing secret shows once');
  await nav.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Manage webhooks' }).click();
  await page.waitForURL(/\/settings\/webhooks$/);
  await page.getByText('No webhooks yet.').waitFor();
  await page.getByLabel('Endpoint URL').fill(hookUrl);
  await page.getByLabel('Description (optional)').fill('e2e receiver');
  for (const name of ['Generation started', 'Generation succeeded', 'Generation failed', 'Generation cancelled', 'Batch completed']) {
    await page.getByLabel(name, { exact: true }).setChecked(name === 'Generation succeeded');
  }
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const secret = ((await page.getByTestId('webhook-secret').textContent()) ?? '').trim();
  if (!/^whsec_[A-Za-z0-9+/]+=*$/.test(secret)) throw new Error(`the webhook secret is not whsec_ + base64: ${secret}`);
  await page.getByRole('status').filter({ hasText: 'It will not be shown again.' }).waitFor();
  const item = page.getByRole('list', { name: 'Your webhooks' }).getByRole('listitem').filter({ hasText: hookUrl });
  await item.waitFor();
  if (!(await item.textContent()).includes('generation.succeeded')) throw new Error('the new webhook does not list generation.succeeded');
  await screenshot(page, 'webhook-created');
  await checkAccessibleNames(page, 'webhooks');
  await page.getByRole('button', { name: 'Done' }).click();
  if (await page.getByTestId('webhook-secret').count()) throw new Error('the webhook secret is still shown after Done');

  log('20. generate with the offline engine until the job succeeds');
  await nav.getByRole('link', { name: 'Generate' }).click();
  await page.waitForURL(/\/generate$/);
  const modelSelect = page.getByLabel('Model', { exact: true });
  const offlineOption = await modelSelect.locator('option', { hasText: /offline/i }).filter({ hasText: /no AI/i }).first().getAttribute('value');
  if (!offlineOption) throw new Error('no model is labelled offline, no AI');
  await modelSelect.selectOption(offlineOption);
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page
    .getByRole('list', { name: 'Generated images' })
    .getByAltText(prompt, { exact: true })
    .first()
    .waitFor({ state: 'visible', timeout: STEP_TIMEOUT * 2 });

  log('21. the delivery log shows generation.succeeded DELIVERED, answered 204');
  await nav.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Manage webhooks' }).click();
  await page.waitForURL(/\/settings\/webhooks$/);
  await item.getByRole('button', { name: 'Show deliveries' }).click();
  // The log polls every 3 s; the delivery may need a retry or two.
  const row = item.locator('tr[data-event="generation.succeeded"][data-status="DELIVERED"]').first();
  await row.waitFor({ timeout: STEP_TIMEOUT * 2 });
  const rowText = (await row.textContent()) ?? '';
  if (!rowText.includes('204')) throw new Error(`the delivered row does not show the 204 answer: ${rowText}`);
  await screenshot(page, 'webhook-deliveries');
  await checkAccessibleNames(page, 'webhook deliveries');

  log('22. the receiver got it with webhook-id, webhook-timestamp and a valid webhook-signature');
  const succeeded = () => receiver.requests.filter((r) => r.method === 'POST' && r.url === '/hook' && eventType(r) === 'generation.succeeded');
  const [hit] = succeeded();
  if (!hit) {
    const seen = receiver.requests.map((r) => `${r.method} ${r.url} ${r.body.slice(0, 120)}`);
    throw new Error(`the receiver got no generation.succeeded POST /hook; it got:\n  ${seen.join('\n  ') || '(nothing)'}`);
  }
  for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    if (!hit.headers[header]) throw new Error(`the delivery has no ${header} header: ${JSON.stringify(hit.headers)}`);
  }
  const age = Math.abs(Date.now() / 1000 - Number(hit.headers['webhook-timestamp']));
  if (!(age < 600)) throw new Error(`webhook-timestamp is not the current Unix time in seconds: ${hit.headers['webhook-timestamp']}`);
  if (!signatureValid(secret, hit)) {
    throw new Error(`webhook-signature does not verify with the secret (Standard Webhooks): ${hit.headers['webhook-signature']}`);
  }

  log('23. Redeliver sends the same delivery again, with the same webhook-id');
  await row.getByRole('button', { name: /^Redeliver generation\.succeeded/ }).click();
  let again = null;
  for (const until = Date.now() + STEP_TIMEOUT; !again && Date.now() < until; ) {
    again = succeeded()[1] ?? null;
    if (!again) await page.waitForTimeout(200);
  }
  if (!again) throw new Error('Redeliver did not reach the receiver');
  if (again.headers['webhook-id'] !== hit.headers['webhook-id']) {
    throw new Error(`the redelivery has another webhook-id: ${again.headers['webhook-id']} (first ${hit.headers['webhook-id']})`);
  }
  if (!signatureValid(secret, again)) throw new Error('the redelivery’s webhook-signature does not verify');

  if (consoleErrors.length > 0) {
    throw new Error(`the browser console shows errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  await context.close();
}

/** An RGB PNG, written by hand: `colorAt(x, y)` gives each pixel's [r, g, b]. */
function makePng(width, height, colorAt) {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set(colorAt(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The pixels [r, g, b, a] of the loaded image with this alt text at these points, read through a canvas. */
function pixelsOf(page, alt, points) {
  return page.evaluate(
    ({ alt, points }) => {
      const img = [...document.querySelectorAll('img')].find((i) => i.alt === alt);
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      return {
        width: img.naturalWidth,
        height: img.naturalHeight,
        pixels: points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data]),
      };
    },
    { alt, points },
  );
}

/**
 * Image editing on a new user's own picture: the wrong file is refused, a PNG made here is
 * uploaded, a mask painted with the mouse, INPAINT keeps every pixel away from the mask,
 * the before/after slider works by keyboard, and the result's background is removed next.
 */
async function editing(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  const stamp = Date.now().toString(36);

  log('24. sign up another user and open "Edit a picture"');
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Display name').fill('E2E Editor');
  await page.getByLabel('Email').fill(`e2e-edit-${stamp}@example.com`);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/generate$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Edit a picture' }).click();
  await page.waitForURL(/\/edit$/);
  const picker = page.getByLabel('Choose a picture');
  await picker.waitFor({ state: 'attached' });
  await checkAccessibleNames(page, 'edit, no picture yet');

  log('25. a file that is not a picture is refused before anything is sent');
  await picker.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await page.getByRole('alert').filter({ hasText: '“notes.txt” is not a PNG, JPEG or WebP picture.' }).waitFor();

  // A flat sky with an orange disc in the middle: the background is easy to find from the borders.
  const [width, height] = [320, 240];
  const sky = [190, 225, 250];
  const disc = [220, 110, 40];
  const colorAt = (x, y) => ((x - 160) ** 2 + (y - 120) ** 2 <= 80 ** 2 ? disc : sky);
  log('26. upload a PNG made here, choose the offline model and INPAINT, paint a stroke across the disc');
  await picker.setInputFiles({ name: 'disc.png', mimeType: 'image/png', buffer: makePng(width, height, colorAt) });
  await page.getByLabel('Model', { exact: true }).selectOption('offline');
  await page.getByLabel('Task', { exact: true }).selectOption('INPAINT');
  const mask = page.getByRole('application', { name: 'Mask' });
  await mask.waitFor();
  await imageLoaded(page, 'disc.png');
  const box = await mask.boundingBox();
  // From (128, 120) to (192, 120) in the picture's pixels, with the brush as it starts.
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.up();
  const brush = Number((await page.getByLabel(/Brush size/).inputValue()) || 0);
  await page.getByLabel('Prompt', { exact: true }).fill('a red door');
  await screenshot(page, 'edit-mask');
  await checkAccessibleNames(page, 'edit with a mask');

  log('27. run it: progress, then the result beside the source with a before/after slider');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const progressSeen = await page
    .getByRole('progressbar', { name: 'Edit progress' })
    .waitFor({ timeout: STEP_TIMEOUT })
    .then(() => true, () => false);
  const slider = page.getByRole('slider', { name: 'Before and after' });
  await slider.waitFor({ timeout: STEP_TIMEOUT * 2 });
  log(`edit progress bar seen: ${progressSeen}`);
  if (!progressSeen) throw new Error('the edit showed no progress bar while it ran');
  await imageLoaded(page, 'Inpaint result');
  await imageLoaded(page, 'Before: disc.png');
  // Away from the stroke (more than its radius plus a pixel), the result is the source exactly.
  const away = [[2, 2], [317, 237], [160, 60], [160, 180], [100, 120], [220, 120]].filter(
    ([x, y]) => Math.hypot(Math.max(128 - x, 0, x - 192), y - 120) > brush / 2 + 1,
  );
  const inpainted = await pixelsOf(page, 'Inpaint result', away);
  if (inpainted.width !== width || inpainted.height !== height) {
    throw new Error(`the inpainted picture is ${inpainted.width} × ${inpainted.height}, not ${width} × ${height}`);
  }
  away.forEach(([x, y], i) => {
    const want = [...colorAt(x, y), 255];
    if (inpainted.pixels[i].join() !== want.join()) {
      throw new Error(`outside the mask, pixel (${x}, ${y}) changed: ${inpainted.pixels[i]} instead of ${want}`);
    }
  });
  await slider.focus();
  await page.keyboard.press('End');
  if ((await slider.getAttribute('aria-valuenow')) !== '100') throw new Error('End did not move the divider to 100');
  await page.keyboard.press('ArrowLeft');
  if ((await slider.getAttribute('aria-valuenow')) !== '95') throw new Error('ArrowLeft did not move the divider');
  await screenshot(page, 'edit-inpainted');
  await checkAccessibleNames(page, 'edit result');

  log('28. "Edit this result": remove the background of the inpainted picture');
  await page.getByRole('button', { name: 'Edit this result' }).click();
  await page.waitForURL(/\/edit\/[^/]+$/);
  await page.getByLabel('Task', { exact: true }).selectOption('REMOVE_BACKGROUND');
  if (await page.getByLabel('Prompt', { exact: true }).count()) throw new Error('Remove background still asks for a prompt');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('slider', { name: 'Before and after' }).waitFor({ timeout: STEP_TIMEOUT * 2 });
  await imageLoaded(page, 'Remove background result');
  const cutOut = await pixelsOf(page, 'Remove background result', [[1, 1], [318, 1], [1, 238], [318, 238], [160, 60]]);
  const corners = cutOut.pixels.slice(0, 4).map((p) => p[3]);
  if (corners.some((alpha) => alpha !== 0)) throw new Error(`the corners are not transparent: alpha ${corners.join(', ')}`);
  if (cutOut.pixels[4][3] === 0) throw new Error('the disc was removed with the background');
  await screenshot(page, 'edit-background-removed');
  await checkAccessibleNames(page, 'edit second result');

  if (consoleErrors.length > 0) {
    throw new Error(`the browser console shows errors:\n  ${consoleErrors.join('\n  ')}`);
  }
  await context.close();
}

async function main() {
  if (!existsSync(path.join(distDir, 'index.html'))) throw new Error('frontend/dist is missing: run npm --prefix frontend run build first');
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  log(`screenshots go to ${screenshotDir}`);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'rendermart-e2e-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const { url: apiUrl } = await startServer(dataDir);
  log(`server listening at ${apiUrl} (data dir ${dataDir})`);
  const baseUrl = await frontendUrl(apiUrl);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanups.push(() => browser.close());

  const tests = [
    ['sign up, generate offline with live progress, gallery after reload, publish, explore logged out', scenario],
    ['history, preferences and API keys of the same user', accountPages],
    ['error messages, cancel and retry, favourite, use these settings, delete', actionsAndErrors],
    ['GraphiQL through /api/graphql: bundled, no CSP violations, runs a query as the logged-in user', graphiql],
    ['webhooks: add one in Settings, a job’s generation.succeeded reaches a local receiver signed, the log shows it DELIVERED, redeliver', webhooks],
    ['upload a picture, paint a mask, inpaint, see the result and its before/after, then remove the background of the result', editing],
  ];
  // E2E_ONLY=text runs only the tests whose name contains it (the others build on the first).
  const only = process.env.E2E_ONLY;
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of tests) {
    if (only && !name.includes(only)) continue;
    if (failed > 0) {
      // Later tests build on the first one's user and image.
      log(`SKIP ${name}`);
      failed++;
      continue;
    }
    try {
      await fn(browser, baseUrl);
      passed++;
      log(`PASS ${name}`);
    } catch (err) {
      failed++;
      log(`FAIL ${name}: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
      for (const ctx of browser.contexts()) {
        for (const p of ctx.pages()) await screenshot(p, 'failure').catch(() => undefined);
        await ctx.close().catch(() => undefined);
      }
    }
  }
  log(`screenshots saved in ${screenshotDir}`);
  return { passed, failed };
}

let result = { passed: 0, failed: 1 };
try {
  result = await main();
} catch (err) {
  log(`ERROR ${err instanceof Error ? err.message : err}`);
} finally {
  await cleanup();
}
console.log(`e2e: ${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed === 0 && result.passed > 0 ? 0 : 1);
