/**
 * The reference console in a real browser: Debian's chromium driven by playwright-core (no browser
 * download), against the real gateway on the embedded emulator. Skipped when chromium is absent,
 * unless REQUIRE_BROWSER=1 (as .ci/run sets it), which makes a missing browser a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeApiKeys } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const ROOT = resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const requireBrowser = process.env.REQUIRE_BROWSER === '1';

if (!haveBrowser && !requireBrowser) {
  console.warn(`console browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

describe('browser requirement', () => {
  (requireBrowser ? it : it.skip)('has a browser when REQUIRE_BROWSER=1', () => {
    expect(existsSync(CHROMIUM) ? CHROMIUM : `no chromium at ${CHROMIUM}`).toBe(CHROMIUM);
  });
});

/**
 * The console's journey, against a gateway that runs any document and against one that runs only
 * client/trusted-documents.json: the second proves the hashes Apollo Client computes and the
 * documents it sends (with the `__typename`s its cache adds) are the ones the manifest registers.
 */
const JOURNEYS: { name: string; env: Record<string, string> }[] = [
  { name: 'reference console', env: {} },
  {
    name: 'reference console under TRUSTED_DOCUMENTS_ONLY',
    env: { TRUSTED_DOCUMENTS_FILE: resolve(ROOT, 'client', 'trusted-documents.json'), TRUSTED_DOCUMENTS_ONLY: 'true' },
  },
];

/** graphql_http_requests_by_path_total, by path (lean, apollo, refused). */
const pathCounts = (gateway: TestGateway) => gateway.counts('graphql_http_requests_by_path_total', 'path');

(haveBrowser ? describe : describe.skip).each(JOURNEYS)('$name', ({ env }) => {
  const trustedOnly = env.TRUSTED_DOCUMENTS_ONLY === 'true';
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  /** The body of every GraphQL request over HTTP the gateway answered the console, across the tests below. */
  const answered: unknown[] = [];

  beforeAll(async () => {
    // The gateway reads console/dist at start-up: build it first if nothing has.
    if (!existsSync(resolve(ROOT, 'console', 'dist', 'index.html'))) {
      execFileSync('npm', ['run', 'build:console', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    }
    gateway = await startTestGateway({
      env: { ...env, CONSOLE_ENABLED: 'true', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '2500', SUBSCRIPTION_POLL_INTERVAL_MS: '250' },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    page.on('response', (response) => {
      const request = response.request();
      if (new URL(request.url()).pathname === '/graphql' && request.method() === 'POST') answered.push(request.postDataJSON());
    });
    await page.goto(`${gateway.url}/console/`);
    await page.locator('tr[data-cache="demo-valkey"]').waitFor();
  });

  afterEach(async () => {
    await page.close();
  });

  it('serves the console under a same-origin Content-Security-Policy, without credentials', async () => {
    const response = await fetch(`${gateway.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'self'; connect-src 'self' ws:\/\//);
    expect(await response.text()).toContain('<div id="root">');
    expect((await fetch(`${gateway.url}/console/missing.js`)).status).toBe(404);
  });

  it('creates a snapshot and shows its status go from creating to available without a reload', async () => {
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await page.selectOption('select[name="serverlessCacheName"]', 'demo-valkey');
    await page.fill('input[name="serverlessCacheSnapshotName"]', 'browser-live');
    await page.click('button[type="submit"]:has-text("Create snapshot")');
    const status = page.locator('tr[data-snapshot="browser-live"] [data-testid="snapshot-status"] .status');
    await status.filter({ hasText: 'creating' }).waitFor({ timeout: 10_000 });
    await status.filter({ hasText: 'available' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }, 30_000);

  it('marks the tag key an InvalidParameterValueException names', async () => {
    // demo-valkey's list (with the snapshot made above) makes a fuller screenshot.
    await page.click('tr[data-cache="demo-valkey"] button');
    await page.locator('tr[data-snapshot="browser-live"]').waitFor();
    await page.fill('input[name="serverlessCacheSnapshotName"]', 'browser-bad-tag');
    await page.click('button:has-text("Add tag")');
    await page.fill('input[name="tags.0.key"]', 'aws:x');
    await page.fill('input[name="tags.0.value"]', 'v');
    await page.click('button[type="submit"]:has-text("Create snapshot")');
    await page.locator('[data-error-for="tags.0.key"]').waitFor();
    expect(await page.getAttribute('input[name="tags.0.key"]', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('input[name="serverlessCacheSnapshotName"]', 'aria-invalid')).toBe('false');
    // The README's screenshot is rewritten only when asked (UPDATE_SCREENSHOT=1): a test run
    // leaves the working tree as it found it.
    const directory = process.env.UPDATE_SCREENSHOT === '1' && !trustedOnly ? resolve(ROOT, 'docs') : mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(directory, { recursive: true });
    await page.screenshot({ path: resolve(directory, 'console.png') });
  }, 30_000);

  it('shows the fault message for a name already taken', async () => {
    await page.selectOption('select[name="serverlessCacheName"]', 'demo-valkey');
    await page.fill('input[name="serverlessCacheSnapshotName"]', 'browser-taken');
    await page.click('button[type="submit"]:has-text("Create snapshot")');
    await page.locator('[data-testid="form-message"]', { hasText: 'Creating browser-taken' }).waitFor();
    await page.fill('input[name="serverlessCacheSnapshotName"]', 'browser-taken');
    await page.click('button[type="submit"]:has-text("Create snapshot")');
    await page.locator('[data-testid="form-message"]', { hasText: 'already exists' }).waitFor();
    expect(await page.getAttribute('input[name="serverlessCacheSnapshotName"]', 'aria-invalid')).toBe('true');
  }, 30_000);

  it('copies, restores and exports a snapshot from its row', async () => {
    const row = (name: string) => page.locator(`[data-snapshot="${name}"]`);
    // browser-live, made by the first test, in demo-valkey's list.
    await page.click('tr[data-cache="demo-valkey"] button');
    await row('browser-live').locator('[data-testid="snapshot-status"]', { hasText: 'available' }).waitFor();
    await page.fill('input[name="actionTarget"]', 'browser-copy');
    await row('browser-live').locator('button:has-text("Copy")').click();
    await page.locator('[role="status"]', { hasText: 'Copying browser-live to browser-copy' }).waitFor();
    // The list is read again: the copy is there.
    await row('browser-copy').waitFor();
    await page.fill('input[name="actionTarget"]', 'browser-restored');
    await row('browser-live').locator('button:has-text("Restore")').click();
    await page.locator('[role="status"]', { hasText: 'Restoring browser-live into the new cache browser-restored' }).waitFor();
    await page.fill('input[name="actionTarget"]', 'demo-exports');
    await row('browser-live').locator('button:has-text("Export")').click();
    await page.locator('[role="status"]', { hasText: 'Exporting browser-live to the bucket demo-exports' }).waitFor();
    await row('browser-live').locator('[data-testid="snapshot-status"]', { hasText: 'exporting' }).waitFor();
    // A bucket the gateway does not allow: the error says so, and nothing is exported.
    await page.fill('input[name="actionTarget"]', 'someone-elses-bucket');
    await row('browser-copy').locator('[data-testid="snapshot-status"]', { hasText: 'available' }).waitFor();
    await row('browser-copy').locator('button:has-text("Export")').click();
    await page.locator('[role="alert"]', { hasText: 'FORBIDDEN' }).waitFor();
  }, 30_000);

  if (trustedOnly) {
    it('sent every query and mutation by hash alone, run by the gateway from its manifest', async () => {
      // The journey above ran; its requests are these. A hash the manifest lacked would have been
      // answered PERSISTED_QUERY_NOT_FOUND and resent with its text, which only-mode refuses.
      expect(answered.length).toBeGreaterThan(10);
      for (const body of answered) {
        // Apollo Client 4 also sends its name and version (`clientLibrary`), which the lean path accepts.
        expect(body).toEqual(
          expect.objectContaining({ extensions: expect.objectContaining({ persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) } }) }),
        );
        expect(body).not.toHaveProperty('query');
      }
      // All on the lean path, which runs registered documents only; requests still in flight when a
      // page closed may have reached the gateway without being answered here.
      const counts = await pathCounts(gateway);
      expect(counts.refused ?? 0).toBe(0);
      expect(counts.apollo ?? 0).toBe(0);
      expect(counts.lean).toBeGreaterThanOrEqual(answered.length);
    });
  }
});

(haveBrowser ? describe : describe.skip)('reference console with authentication on', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let key: string;

  beforeAll(async () => {
    if (!existsSync(resolve(ROOT, 'console', 'dist', 'index.html'))) {
      execFileSync('npm', ['run', 'build:console', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    }
    const written = writeApiKeys([{ id: 'console-user', scopes: ['snapshots:read', 'snapshots:write'], caches: ['*'] }]);
    key = written.keys['console-user'] ?? '';
    gateway = await startTestGateway({
      env: { AUTH_API_KEYS_FILE: written.file, CONSOLE_ENABLED: 'true', EMULATOR_SNAPSHOT_AVAILABLE_AFTER_MS: '2000', SUBSCRIPTION_POLL_INTERVAL_MS: '250' },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('asks for a credential, then sends the pasted API key on HTTP and on the WebSocket', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${gateway.url}/console/`);
      await page.getByText('This gateway requires a credential').waitFor();
      await page.selectOption('select[aria-label="credential kind"]', 'apiKey');
      await page.fill('input[aria-label="credential"]', key);
      await page.click('button:has-text("Use")');
      await page.locator('tr[data-cache="demo-valkey"]').waitFor();
      await page.selectOption('select[name="serverlessCacheName"]', 'demo-valkey');
      await page.fill('input[name="serverlessCacheSnapshotName"]', 'browser-with-key');
      await page.click('button[type="submit"]:has-text("Create snapshot")');
      // The live status comes over graphql-ws, whose connectionParams carry the key.
      await page.locator('tr[data-snapshot="browser-with-key"] .live').waitFor({ timeout: 10_000 });
      await page
        .locator('tr[data-snapshot="browser-with-key"] [data-testid="snapshot-status"] .status', { hasText: 'available' })
        .waitFor({ timeout: 15_000 });
      expect(await page.locator('tr[data-snapshot="browser-with-key"] .live').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 30_000);
});
