// The konbini verification page /verify/ in headless Chromium (Debian's):
// the form in Japanese first, axe-core finds no serious or critical WCAG
// violation on the form and on the verdict; a PDF issued through pcscd is
// uploaded with the file input and shown 有効 with the registry's names
// among the signed fields; a PDF with one byte changed is shown 無効; the
// pasted text of a page's 2D code is 有効; the English switch.
//   node konbini_verify_page.mjs BASE_URL GOOD_PDF FORGED_PDF CODE_FILE SHOTS_DIR NAME...
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { axeClean, launchChromium } from './chromium.mjs';

const [base, goodPdf, forgedPdf, codeFile, shots, ...names] = process.argv.slice(2);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  const response = await page.goto(`${base}/verify/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await axeClean(page, 'form');

  // The genuine PDF.
  await page.setInputFiles('#file', goodPdf);
  await Promise.all([page.waitForNavigation(), page.click('#verify')]);
  const verdict = await page.textContent('#verdict-text');
  assert.ok(verdict.includes('有効') && !verdict.includes('無効'), `genuine: ${verdict}`);
  const table = await page.textContent('#result table');
  for (const name of names) assert.ok(table.includes(name), `${name} not among the signed fields`);
  assert.ok((await page.textContent('#ledger')).includes('交付台帳に記録があります'));
  await axeClean(page, 'verdict');
  await page.screenshot({ path: `${shots}/verify-valid-ja.png`, fullPage: true });

  // One byte changed.
  await page.goto(`${base}/verify/`);
  await page.setInputFiles('#file', forgedPdf);
  await Promise.all([page.waitForNavigation(), page.click('#verify')]);
  const forged = await page.textContent('#verdict-text');
  assert.ok(forged.includes('無効'), `forged: ${forged}`);

  // A page's 2D code, pasted.
  await page.goto(`${base}/verify/`);
  await page.fill('#code', readFileSync(codeFile, 'utf8'));
  await Promise.all([page.waitForNavigation(), page.click('#verify')]);
  const code = await page.textContent('#verdict-text');
  assert.ok(code.includes('有効') && code.includes('page-code'), `code: ${code}`);

  // English.
  await page.goto(`${base}/verify/?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok((await page.textContent('h1')).includes('genuine'));
  await context.close();
  console.log('konbini /verify/: axe clean, genuine PDF valid, forged PDF not valid, pasted code valid, English');
} finally {
  await browser.close();
}
