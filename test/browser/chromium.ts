import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Config } from '../../src/config/config.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';

/** Debian's chromium, or the one HEROLD_CHROMIUM names. */
export const CHROMIUM = process.env.HEROLD_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots land here (kept by CI). */
export const ARTIFACTS = 'test/artifacts';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchedChromium {
  /** The browser; throws the reason when there is none, so every test fails (never a silent skip). */
  browser(): Browser;
  close(): Promise<void>;
}

/**
 * Starts headless chromium for a browser test. A missing browser fails every
 * test of the file, not just the hook (CI summaries would report those as skipped).
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM)) {
    const error = new Error(`The browser test needs Chromium at ${CHROMIUM}. Install it with "apt-get install chromium" (.ci/run does), or point HEROLD_CHROMIUM at a Chromium binary.`);
    return { browser: () => { throw error; }, close: async () => undefined };
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  return { browser: () => browser, close: () => browser.close() };
}

/** Chromium plus a running Herold (sandbox, real Redis) with one maintenance that has just started. */
export interface BrowserRig {
  readonly chromium: LaunchedChromium;
  readonly rig: Rig;
  readonly service: HeroldService;
  readonly schedule: Schedule;
  close(): Promise<void>;
}

export async function startBrowserRig(overrides: Partial<Config> = {}, shape: (schedule: Schedule) => Schedule = (schedule) => schedule): Promise<BrowserRig> {
  const chromium = await launchChromium();
  const r = await rig({}, overrides);
  const schedule = shape(rebasedWienRocks(300));
  const service = await r.start([schedule]);
  await waitFor('start toot', async () => (await service.store.posted(schedule.id, 'start'))?.statusId);
  return {
    chromium,
    rig: r,
    service,
    schedule,
    async close() {
      await chromium.close();
      await r.close();
    },
  };
}
