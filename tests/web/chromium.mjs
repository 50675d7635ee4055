// Debian's Chromium (/usr/bin/chromium) under Playwright, started the same
// way by the browser tests of the sign-in provider and the demo relying
// party (docs/web-testing.md): headless, no sandbox (root in CI), nothing
// that reaches out to the network by itself.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
  });
}

// A page in a new context. The sandbox TLS root is not the browser's: the
// tests check the provider's chain elsewhere (authlib, the demo relying
// party itself), so certificate errors are ignored here. Every wait is
// generous (120 s, not Playwright's 30 s): pages come from a debug or ASan
// build on a loaded 2-core machine.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
  context.setDefaultTimeout(120_000);
  return context.newPage();
}

// Opens URL in the page and fails (naming WHAT) unless it answers 200.
export async function gotoOk(page, url, what) {
  const response = await page.goto(url);
  if (response.status() !== 200) throw new Error(`${what}: ${response.status()}`);
  return response;
}

// A full-page screenshot saved under another name and renamed to SHOT: the
// caller (tests/scenarios/browser_qr.py) waits for SHOT and must never read
// a half-written file.
export async function screenshotForCaller(page, shot) {
  await page.screenshot({ path: `${shot}.tmp.png`, fullPage: true });
  renameSync(`${shot}.tmp.png`, shot);
}

const axeSource = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

// axe-core over the page as it is (WCAG 2.0/2.1 A and AA, best practice):
// fails, naming WHAT, on any serious or critical finding.
export async function axeClean(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map(v => `${v.id}: ${v.help}`), [], `${what}: axe`);
}
