// The touch-screen pages (the kiosk's /kiosk/, the clinic reader's
// /clinic/): one browser context the size of the machine's screen, and the
// checks every screen of them passes: Japanese first, the expected title,
// axe-core clean, every control a touch target of at least 44×44 CSS px
// (WCAG 2.1 SC 2.5.5 Target Size).
import assert from 'node:assert/strict';
import { axeClean, newPage } from './chromium.mjs';

// A page on a touch screen of WIDTH×HEIGHT CSS px, Japanese, with the
// chromium.mjs waits unless TIMEOUT (ms) is given.
export async function touchScreenPage(browser, width, height, { timeout, ...options } = {}) {
  const page = await newPage(browser, { locale: 'ja-JP', bypassCSP: true, viewport: { width, height }, hasTouch: true, ...options });
  if (timeout) page.setDefaultTimeout(timeout);
  return page;
}

// Every control CONTROLS selects is at least 44×44 CSS px: the control
// itself, or the label a radio or checkbox sits in.
export async function touchTargets(page, what, controls) {
  const small = await page.evaluate((selector) => {
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      const target = (el.type === 'radio' || el.type === 'checkbox') ? el.closest('label') : el;
      const box = target.getBoundingClientRect();
      if (box.width < 44 || box.height < 44) out.push(`${el.id || el.name}: ${box.width}x${box.height}`);
    }
    return out;
  }, controls);
  assert.deepEqual(small, [], `${what}: touch targets`);
}

// The screens of one page: `check(page, what, title)` asserts the screen
// (lang ja, an h1 with TITLE; `explain(page)` adds what the page says when
// the title is not the expected one), axe, the touch targets of CONTROLS,
// and saves a screenshot PREFIX-WHAT.png under SHOTS when given; AXE false
// leaves axe out (a run that checks something else than the page itself).
export function screenChecker({ controls, prefix, shots, explain, axe = true }) {
  return async (page, what, title) => {
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const h1 = await page.textContent('h1');
    assert.ok(h1.includes(title), `${what}: h1 ${h1}${explain ? ` (${await explain(page)})` : ''}`);
    if (axe) await axeClean(page, what);
    await touchTargets(page, what, controls);
    if (shots) await page.screenshot({ path: `${shots}/${prefix}-${what}.png`, fullPage: true });
  };
}
