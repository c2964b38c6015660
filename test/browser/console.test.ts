/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against local mode
 * on free ports: sign in, create a stream, start it, push an FFmpeg test pattern, watch it play,
 * clip it with the clip tool and play the clip, copy its link, export it to MP4 and download it,
 * find it again after a reload, delete it, stop, delete the stream. It takes a screenshot of each page:
 * into a temporary folder, or into docs/screenshots/ (which the README shows) with
 * `npm run screenshots`, so that `npm test` leaves the working tree as it found it.
 *
 * The console is built here first (Vite, ~2 s), so the test always runs the current sources.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { apiClient, startTestApp } from '../support/local-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = process.env.SCREENSHOTS_DIR
  ? path.resolve(ROOT, process.env.SCREENSHOTS_DIR)
  : mkdtempSync(path.join(tmpdir(), 'console-screenshots-'));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Long enough for the whole scenario; the pusher is stopped before the stream anyway. */
const PUSH_SECONDS = 180;

let app: LocalApp & { dataDir: string };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pusher: ChildProcess | undefined;
const requestedOrigins = new Set<string>();
const cspViolations: string[] = [];
let streamId = '';

function push(rtmpUrl: string): ChildProcess {
  const { ffmpeg } = findFfmpeg();
  // 1280x720 saves CPU on 2 shared cores; the local encoder still makes the whole ladder.
  return spawn(
    ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(PUSH_SECONDS),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '60',
      '-b:v',
      '2500k',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      'flv',
      rtmpUrl,
    ],
    { stdio: 'ignore' },
  );
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The video's position, twice, `gapMs` apart. */
async function videoAdvances(selector: string, gapMs = 1500): Promise<{ before: number; after: number }> {
  const time = () => page.$eval(selector, (v) => (v as unknown as { currentTime: number }).currentTime);
  const before = await time();
  await page.waitForTimeout(gapMs);
  return { before, after: await time() };
}

async function waitForPlayback(selector: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = { before: 0, after: 0 };
  while (Date.now() < deadline) {
    last = await videoAdvances(selector);
    if (last.after > last.before && last.after > 0) return last.after;
  }
  throw new Error(
    `${selector} did not play within ${timeoutMs} ms (currentTime ${last.before} → ${last.after})`,
  );
}

async function statusIs(status: string, timeoutMs = 30_000): Promise<void> {
  await page.locator(`.status-line .badge[data-status="${status}"]`).waitFor({ timeout: timeoutMs });
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await build({
    root: path.join(ROOT, 'console'),
    configFile: path.join(ROOT, 'console/vite.config.ts'),
    logLevel: 'warn',
  });
  app = await startTestApp();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.apiUrl });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'http:' || url.protocol === 'https:') requestedOrigins.add(url.origin);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      cspViolations.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  pusher?.kill('SIGKILL');
  await browser?.close();
  await app?.close();
  if (!process.env.SCREENSHOTS_DIR) rmSync(SCREENSHOTS, { recursive: true, force: true });
});

describe('web console in Chromium, local mode', () => {
  it('refuses a wrong token and signs in with the API token, by keyboard', async () => {
    await page.goto(`${app.apiUrl}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('01-sign-in');
    // The token field has focus on arrival: type and press Enter.
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#api-token-error').textContent()).toContain('refused');
    await page.fill('#api-token', app.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Streams' }).waitFor();
    expect(await page.evaluate<string[]>('Object.values(sessionStorage)')).toContain(app.token);
  });

  it('creates a stream with the form and shows it on the streams list as it becomes IDLE', async () => {
    await page.getByRole('link', { name: 'New stream' }).first().click();
    await page.getByRole('heading', { name: 'New stream' }).waitFor();
    await page.getByLabel('Name').fill('Keynote');
    await page.getByLabel('Description (optional)').fill('Main stage, day 1');
    await page.getByLabel('Channel class').selectOption('SINGLE_PIPELINE');
    // Archive files of 2 s: clips of a few seconds are exact and available quickly.
    await page.getByLabel('Archive file length, seconds').fill('2');
    await shot('03-create-stream');
    await page.getByRole('button', { name: 'Create stream' }).click();
    await page.getByRole('heading', { name: 'Keynote' }).waitFor();
    streamId = /#\/streams\/([0-9A-F]+)/.exec(page.url())?.[1] ?? '';
    expect(streamId).toMatch(/^[0-9A-F]{16}$/);
    await statusIs('IDLE');

    await page.getByRole('link', { name: '← Streams' }).click();
    const card = page.locator(`li[data-stream-id="${streamId}"]`);
    await card.locator('.badge[data-status="IDLE"]').waitFor();
    expect(await card.textContent()).toContain('Keynote');
    await shot('02-streams');
    await card.getByRole('link', { name: 'Keynote' }).click();
    await statusIs('IDLE');
    // The executions panel shows the create workflow with its steps, from Step Functions.
    const executions = page.locator('section', {
      has: page.getByRole('heading', { name: 'Workflow executions' }),
    });
    await executions.getByText(`${streamId}-create-`, { exact: false }).waitFor();
    await executions.getByText(`${streamId}-create-`, { exact: false }).click();
    await executions.getByText('Record created · SUCCEEDED', { exact: false }).waitFor();
    await shot('04-stream-idle');
  });

  it('starts the stream and shows the workflow progress with its execution name', async () => {
    const start = page.getByRole('button', { name: 'Start', exact: true });
    await start.focus();
    await page.keyboard.press('Enter');
    await statusIs('RUNNING');
    const record = (await apiClient(app).call('GET', `/streams/${streamId}`)).body;
    const execution = (record.execution as { name: string } | null)?.name;
    expect(execution).toBeTruthy();
    await expect.poll(() => page.locator('.card').first().textContent()).toContain(String(execution));
  });

  it('shows the RTMP server and a hidden stream key that can be revealed and copied', async () => {
    const key = page.getByLabel('Stream key').first();
    expect(await key.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Copy key' }).first().click();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    await page.getByRole('button', { name: 'Reveal key' }).first().click();
    expect(await key.getAttribute('type')).toBe('text');
    const server = await page.getByLabel('Server').first().inputValue();
    const secret = await key.inputValue();
    expect(server).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live1$/);
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(copied).toBe(secret);
    await page.getByRole('button', { name: 'Hide key' }).first().click();
    expect(await key.getAttribute('type')).toBe('password');
    pusher = push(`${server}/${secret}`);
  });

  it('plays the live stream in the player (video time advancing)', async () => {
    const playing = await waitForPlayback('#live-video', 90_000);
    expect(playing).toBeGreaterThan(0);
    await page.locator('#live-video').scrollIntoViewIfNeeded();
    await shot('05-stream-running');
  }, 120_000);

  it('marks in and out on the player timeline, makes a clip and plays it', async () => {
    const markIn = page.getByRole('button', { name: 'Mark in at playhead' });
    await expect.poll(() => markIn.isEnabled(), { timeout: 30_000 }).toBe(true);
    await markIn.click();
    const inValue = await page.getByLabel('In (session time)').inputValue();
    await page.waitForTimeout(5000);
    await page.getByRole('button', { name: 'Mark out at playhead' }).click();
    const outValue = await page.getByLabel('Out (session time)').inputValue();
    const seconds = (text: string) => text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    expect(seconds(outValue) - seconds(inValue)).toBeGreaterThanOrEqual(3);

    await page.getByRole('button', { name: 'Make clip' }).click();
    const clip = page.locator('#clip-list li.clip').first();
    await clip.waitFor();
    expect(await clip.getAttribute('data-clip-key')).toMatch(/index_.+\.m3u8$/);
    expect(await clip.textContent()).toMatch(/covers \d+:\d{2}\.\d–\d+:\d{2}\.\d \(\d+ archive files\)/);
    await clip.getByRole('button', { name: /Play clip 1/ }).click();
    await waitForPlayback('#clip-video', 30_000);
    await page.locator('#clips-title').scrollIntoViewIfNeeded();
    await shot('06-clip-tool');
  }, 90_000);

  it('copies the clip link, which plays without the API token', async () => {
    const clip = page.locator('#clip-list li.clip').first();
    await clip.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(link).toMatch(
      /\/streams\/[0-9A-F]{16}\/clips\/[0-9a-f]{20}\/playlist\.m3u8\?expires=\d+&signature=[0-9a-f]{64}$/,
    );
    const answer = await fetch(link);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('#EXT-X-ENDLIST');
  });

  it('exports the clip to MP4 with progress, offers the download, and keeps it after a reload', async () => {
    const clip = page.locator('#clip-list li.clip').first();
    await clip.getByRole('button', { name: 'Export MP4' }).click();
    const status = clip.locator('.export-status');
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toMatch(/Export: (starting|queued|encoding)/);
    const download = page
      .locator('#clip-list li.clip')
      .first()
      .getByRole('link', { name: /Download MP4/ });
    await download.waitFor({ timeout: 150_000 });
    const href = String(await download.getAttribute('href'));
    expect(href).toContain('X-Amz-Signature=');
    const mp4 = await fetch(href);
    expect(mp4.status).toBe(200);
    expect(
      Buffer.from(await mp4.arrayBuffer())
        .subarray(4, 8)
        .toString('latin1'),
    ).toBe('ftyp');

    await page.reload();
    await statusIs('RUNNING');
    const again = page.locator('#clip-list li.clip').first();
    await again.waitFor();
    expect(await again.textContent()).toContain('MP4 ready');
    await again.getByRole('link', { name: /Download MP4/ }).waitFor();
  }, 180_000);

  it('goes live on the CDN and plays viewer_endpoint_cloudfront, then ends live', async () => {
    await page.getByRole('button', { name: 'Go live (CDN)' }).click();
    const cdn = page.getByLabel('CDN (viewer_endpoint_cloudfront)');
    await expect.poll(() => cdn.isEnabled(), { timeout: 30_000 }).toBe(true);
    await cdn.check();
    const cdnOrigin = new URL(app.endpoints.cdn).origin;
    await expect.poll(() => page.locator('.endpoint').textContent()).toContain(cdnOrigin);
    await waitForPlayback('#live-video', 60_000);
    await page.getByRole('button', { name: 'End live' }).click();
    await expect.poll(() => cdn.isEnabled(), { timeout: 30_000 }).toBe(false);
    expect(await page.getByLabel('Origin (viewer_endpoint)').isChecked()).toBe(true);
    await expect
      .poll(() => page.locator('.endpoint').textContent())
      .toContain(new URL(app.endpoints.hls).origin);
  }, 120_000);

  it('lists the recording session', async () => {
    const rows = page.locator('tr[data-session-id]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    // Cells: started, stopped, length, archive.
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('recording');
    expect(await rows.first().locator('td').nth(3).textContent()).toMatch(/^s3:\/\/live-archive\//);
  });

  it('is readable at 360 px wide (no horizontal scrolling)', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(300);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS, '07-stream-360px.png') });
    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    await page.locator(`li[data-stream-id="${streamId}"]`).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(SCREENSHOTS, '08-streams-360px.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(`li[data-stream-id="${streamId}"]`).getByRole('link').click();
    await statusIs('RUNNING');
  });

  it('deletes a clip after a confirmation, and it leaves the list', async () => {
    const clips = page.locator('#clip-list li.clip');
    await clips.first().waitFor();
    const before = await clips.count();
    expect(before).toBeGreaterThan(0);
    const first = clips.first();
    await first.getByRole('button', { name: 'Delete clip' }).click();
    await first.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(() => clips.count()).toBe(before - 1);
  });
  it('shows the health panel refreshing by itself: the input connected, its rates, the newest picture, the light green', async () => {
    const panel = page.locator('section.health');
    await panel.waitFor();
    const input = panel.locator('.health-pipeline[data-pipeline="0"] dd').first();
    await expect.poll(() => input.textContent(), { timeout: 30_000 }).toMatch(/^connected since /);
    await expect
      .poll(() => panel.locator('.health-light').getAttribute('aria-label'), { timeout: 30_000 })
      .toBe('Health: Healthy');
    const picture = panel.locator('img.thumbnail');
    await expect.poll(() => picture.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(
      await picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    // It refreshes by itself: the time it was checked changes without any click.
    const checked = await panel.locator('.health-summary').textContent();
    await expect
      .poll(() => panel.locator('.health-summary').textContent(), { timeout: 15_000 })
      .not.toBe(checked);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: path.join(SCREENSHOTS, '11-stream-health.png') });
  }, 90_000);

  it("shows the running stream's picture and health light on the streams list", async () => {
    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    const row = page.locator(`li[data-stream-id="${streamId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('img.thumbnail').isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => row.locator('.health-light').getAttribute('aria-label')).toMatch(/^Health: /);
    await shot('10-streams-running');
    await row.getByRole('link').click();
    await statusIs('RUNNING');
  }, 60_000);

  it('stops the stream', async () => {
    pusher?.kill('SIGINT');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await statusIs('IDLE');
    await expect.poll(() => page.locator('.player-status').textContent()).toContain('not running');
    const stopped = page.locator('tr[data-session-id]').first().locator('td').nth(1);
    await expect.poll(() => stopped.textContent()).not.toBe('recording');
  });

  it('deletes the stream after a confirmation, and it leaves the list', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await page.getByText('The stream was deleted; its archive is kept.').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Back to the streams' }).click();
    await page.getByRole('heading', { name: 'Streams' }).waitFor();
    await expect.poll(() => page.locator(`li[data-stream-id="${streamId}"]`).count()).toBe(0);
  });

  it('called no host but the API, the stream endpoints and the archive, and broke no content security rule', () => {
    // Clips play from presigned URLs of the archive (the local S3), as from S3 on AWS.
    const allowed = new Set(
      [app.apiUrl, app.endpoints.hls, app.endpoints.cdn, app.endpoints.s3].map((u) => new URL(u).origin),
    );
    expect([...requestedOrigins].filter((o) => !allowed.has(o))).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});

/**
 * The schedule and executions panels, with those routes answered here: local mode has no scheduler
 * yet and no API has an executions route, and the panels must work when they come.
 */
describe('optional panels, shown when the API document lists their routes', () => {
  let panels: Page;
  let id = '';
  let schedule: Record<string, unknown> | null = null;
  const posted: unknown[] = [];

  beforeAll(async () => {
    const api = apiClient(app);
    id = String((await api.call('POST', '/streams', { name: 'Panels' })).body.id);
    await api.waitForStatus(id, 'IDLE');
    panels = await context.newPage();
    await panels.addInitScript(
      `sessionStorage.setItem('live-console.api-token', ${JSON.stringify(app.token)})`,
    );
    await panels.route('**/openapi.json', async (route) => {
      const response = await route.fetch();
      const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
      document.paths['/streams/{id}/executions'] = { get: { operationId: 'listExecutions' } };
      document.paths['/streams/{id}/schedule'] = { post: {}, get: {}, delete: {} };
      await route.fulfill({ response, json: document });
    });
    await panels.route(new RegExp(`/streams/${id}$`), async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as object), schedule } });
    });
    await panels.route(new RegExp(`/streams/${id}/schedule$`), async (route) => {
      const request = route.request();
      if (request.method() === 'DELETE') {
        schedule = null;
        return route.fulfill({ json: {} });
      }
      const body = request.postDataJSON() as { start_at: string; stop_at?: string };
      posted.push(body);
      if (body.stop_at && body.stop_at <= body.start_at) {
        return route.fulfill({
          status: 400,
          json: {
            error: {
              code: 'InvalidRequest',
              message: 'invalid schedule',
              details: [{ field: 'stop_at', reason: 'must be after start_at' }],
            },
          },
        });
      }
      schedule = {
        start_at: body.start_at,
        stop_at: body.stop_at ?? null,
        start_options: {},
        updated_at: new Date().toISOString(),
      };
      return route.fulfill({ json: {} });
    });
    await panels.route(new RegExp(`/streams/${id}/executions$`), (route) =>
      route.fulfill({
        json: [
          {
            name: `${id}-create-20260101-100000-abc123`,
            action: 'create',
            status: 'SUCCEEDED',
            started_at: '2026-01-01T10:00:00.000Z',
            steps: [
              { name: 'Create the RTMP input', status: 'SUCCEEDED', entered_at: '2026-01-01T10:00:00.100Z' },
              {
                name: 'Wait for the channel to be idle',
                status: 'SUCCEEDED',
                entered_at: '2026-01-01T10:00:01.000Z',
              },
            ],
          },
        ],
      }),
    );
    await panels.goto(`${app.apiUrl}/#/streams/${id}`);
    await panels.locator('.status-line .badge[data-status="IDLE"]').waitFor();
  }, 60_000);

  afterAll(async () => {
    await panels?.close();
  });

  it('lists the executions of the stream with their steps', async () => {
    const section = panels.locator('section', {
      has: panels.getByRole('heading', { name: 'Workflow executions' }),
    });
    await section.getByText(`${id}-create-20260101-100000-abc123`).click();
    await section.getByText('Wait for the channel to be idle · SUCCEEDED', { exact: false }).waitFor();
  });

  it('sets a schedule, shows the API refusal on the field at fault, and cancels it', async () => {
    await panels.getByLabel('Start at (your local time)').fill('2030-01-02T10:00');
    await panels.getByLabel('Stop at (optional)').fill('2030-01-02T09:00');
    await panels.getByRole('button', { name: 'Save schedule' }).click();
    await expect
      .poll(() => panels.locator('#schedule-stop-error').textContent())
      .toBe('must be after start_at');
    expect(await panels.getByLabel('Stop at (optional)').getAttribute('aria-invalid')).toBe('true');

    await panels.getByLabel('Stop at (optional)').fill('2030-01-02T11:30');
    await panels.getByRole('button', { name: 'Save schedule' }).click();
    const expected = await panels.evaluate<string[]>(
      "[new Date('2030-01-02T10:00').toISOString(), new Date('2030-01-02T11:30').toISOString()]",
    );
    // The click only queues the request: wait for it rather than reading the last one at once.
    await expect.poll(() => posted.at(-1)).toEqual({ start_at: expected[0], stop_at: expected[1] });
    const status = panels
      .locator('section', { has: panels.getByRole('heading', { name: 'Schedule' }) })
      .getByRole('status');
    await expect.poll(() => status.first().textContent()).toMatch(/^Starts .*2030.*\. Stops .*2030/);
    await panels.screenshot({
      path: path.join(SCREENSHOTS, '09-schedule-and-executions.png'),
      fullPage: true,
    });

    await panels.getByRole('button', { name: 'Cancel schedule' }).click();
    await expect.poll(() => status.first().textContent()).toBe('No schedule.');
  });
});
