// The portal's login page in headless Chromium (Debian's): axe-core finds
// no serious or critical WCAG violation at desktop and phone width; the
// keyboard alone reaches the skip link first, which moves focus to <main>,
// then both login buttons; the English switch works; screenshots go to
// SHOTS (docs/portal/ when regenerating).
//   node portal_login_page.mjs BASE_URL SHOTS_DIR
import assert from 'node:assert/strict';
import { axeClean, launchChromium } from './chromium.mjs';

const [base, shots] = process.argv.slice(2);
const browser = await launchChromium();
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]]) {
    for (const lang of ['ja', 'en']) {
      const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true, bypassCSP: true, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
      // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
      context.setDefaultTimeout(120_000);
      const page = await context.newPage();
      const response = await page.goto(`${base}/portal/`);
      assert.equal(response.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await axeClean(page, `${name}/${lang}`);
      // No horizontal scrolling at phone width (WCAG 1.4.10 reflow).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}/${lang}: page wider than the viewport by ${overflow}px`);
      await page.screenshot({ path: `${shots}/login-${name}-${lang}.png`, fullPage: true });

      // Keyboard only: the skip link comes first and moves focus into <main>.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, 'none', 'focus is visible');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => location.hash), '#main');
      const labels = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        labels.push(await page.evaluate(() => document.activeElement.tagName + ':' + (document.activeElement.textContent || '').trim()));
      }
      assert.ok(labels.filter(l => l.startsWith('BUTTON:')).length >= 2, `both login buttons reachable: ${labels}`);
      await context.close();
    }
  }
  // The language switch link, with the keyboard: Japanese → English.
  const context = await browser.newContext({ locale: 'ja-JP' });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  await page.goto(`${base}/portal/`);
  await page.click('a.lang-switch');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(`${base}/portal/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
  await context.close();
  console.log('portal login page: axe clean, keyboard path, reflow, language switch OK');
} finally {
  await browser.close();
}
