// The clinic's face-recognition reader /clinic/ in headless Chromium
// (Debian's), driven by tests/insurance/clinic_page.py with the card in the
// private pcscd's virtual reader of the machine that runs serve, and the
// reader's camera a file of that machine (CAMERA, which this script fills
// with OTHER_PNG or HOLDER_PNG before each face check). Japanese first,
// axe-core finds no serious or critical WCAG finding on any screen, every
// button and choice is a touch target of at least 44×44 CSS px (WCAG
// 2.5.5). The visits:
//   1. a wrong PIN: back at the method screen with the tries left, 目視 now
//      offered; another person's face: refused; a wrong 目視 password:
//      refused; the right PIN without registration: done, 4 該当資格なし;
//   2. by face with registration at the reader: the consent questions
//      (drug yes, the others no), done with 1, the insurer and the ratio;
//   3. 目視 (after a failed face) with the facility's password, no consent.
// Writes WORK/clinic.json (what the done screens showed) for the Python side.
//   node clinic_reader_page.mjs BASE WORK PIN VISUAL_PASSWORD CAMERA \
//        HOLDER_PNG OTHER_PNG [SHOTS_DIR]
import { copyFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { screenChecker, touchScreenPage } from './touch_screen.mjs';

const [base, work, pin, visualPassword, camera, holderPng, otherPng, shots] = process.argv.slice(2);
const clinic = `${base}/clinic`;

const screen = screenChecker({
  controls: '.reader button, .reader input:not([type=hidden])',
  prefix: 'clinic',
  shots,
  explain: async page => `error: ${await error(page)}`,
});

async function error(page) {
  return (await page.isVisible('#reader-error')) ? (await page.textContent('#reader-error')).trim() : '';
}

// Each screen's POST may run a whole visit (card, face comparison, OCSP)
// on a loaded debug build: generous time, and what the page showed when
// it did not move on.
async function submit(page, selector) {
  try {
    await Promise.all([page.waitForNavigation({ timeout: 240000 }), page.click(selector)]);
  } catch (e) {
    throw new Error(`${selector}: ${e.message}\n${(await page.textContent('main').catch(() => '')).slice(0, 1500)}`);
  }
}

// Answers every consent question the page asks (the facility's items):
// yes to those in `yes`, no to the others; returns the items asked.
async function answer(page, yes) {
  const items = await page.$$eval('.reader-question input[value=yes]', els => els.map(e => e.name));
  for (const item of items) await page.tap(`label:has(#${item}-${yes.includes(item) ? 'yes' : 'no'})`);
  return items;
}

async function face(page, png) {
  copyFileSync(png, camera);
  await submit(page, '#face');
}

async function done(page) {
  const cell = async (id, attr) => (await page.isVisible(id)) ? (attr ? await page.getAttribute(id, attr) : (await page.textContent(id)).trim()) : null;
  const shown = {
    validity: await cell('#result-validity', 'data-code'),
    method: await cell('#result-method'),
    insurer: await cell('#result-insurer', 'data-number'),
    percent: await cell('#result-ratio', 'data-percent'),
    ratio: await cell('#result-ratio'),
    consent: await cell('#result-consent', 'data-items'),
    registered: await page.isVisible('#result-registered'),
  };
  await submit(page, '#finish');
  assert.ok(await page.isVisible('#start'), 'finish: not back at the first screen');
  return shown;
}

const browser = await launchChromium();
try {
  // The reader's touch screen: small, landscape.
  const page = await touchScreenPage(browser, 1024, 768, { timeout: 240000 });
  const first = await page.goto(`${clinic}/`);
  assert.equal(first.status(), 200);
  await screen(page, 'welcome', 'マイナ保険証');
  assert.ok((await page.textContent('.reader')).includes('SANDBOX'));

  // Visit 1: wrong PIN, another face, wrong 目視 password, then the PIN.
  await submit(page, '#start');
  await screen(page, 'method', '本人確認');
  assert.ok(!(await page.isVisible('#visual')), '目視 offered before any failure');
  await submit(page, '#pin');
  await screen(page, 'pin', '暗証番号');
  await page.fill('#pin-input', pin === '0000' ? '1111' : '0000');
  await submit(page, '#pin-ok');
  const wrong = await error(page);
  assert.ok(wrong.includes('暗証番号が違います') && wrong.includes('残り2回'), `wrong PIN: ${wrong}`);
  assert.ok(await page.isVisible('#visual'), '目視 not offered after a failure');
  await face(page, otherPng);
  const other = await error(page);
  assert.ok(other.includes('顔が一致しません'), `another face: ${other}`);
  await submit(page, '#visual');
  await screen(page, 'visual', '目視');
  await page.fill('#visual-password', visualPassword.split(':')[0] + ':wrong');
  await submit(page, '#visual-ok');
  assert.ok((await error(page)).includes('目視確認用パスワードが違います'), `bad 目視: ${await error(page)}`);
  await submit(page, '#pin');
  await page.fill('#pin-input', pin);
  await submit(page, '#pin-ok');
  await screen(page, 'done-unregistered', '受付が完了しました');
  const unregistered = await done(page);

  // Visit 2: by face, registering the card here; the consent questions.
  await submit(page, '#start');
  await page.tap('label:has(#register)');
  await face(page, holderPng);
  await screen(page, 'consent', '同意');
  const asked = await answer(page, ['drug']);
  assert.ok(asked.includes('drug') && asked.includes('checkup'), `consent questions: ${asked}`);
  await submit(page, '#consent-ok');
  await screen(page, 'done', '受付が完了しました');
  const byFace = await done(page);

  // Visit 3: the face fails, the staff confirm (目視); no consent given.
  await submit(page, '#start');
  await face(page, otherPng);
  await submit(page, '#visual');
  await page.fill('#visual-password', visualPassword);
  await submit(page, '#visual-ok');
  await screen(page, 'consent-visual', '同意');
  await answer(page, []);
  await submit(page, '#consent-ok');
  const byVisual = await done(page);

  // Cancel from the method screen: back to the first screen.
  await submit(page, '#start');
  await submit(page, '#cancel');
  assert.ok(await page.isVisible('#start'), 'cancel: not back at the first screen');

  // English.
  await page.goto(`${clinic}/?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok((await page.textContent('#start')).includes('Start'));
  writeFileSync(`${work}/clinic.json`, JSON.stringify({ unregistered, byFace, byVisual, asked }));
  await page.context().close();
  console.log(`clinic /clinic/: axe clean and touch targets on every screen; ${JSON.stringify({ unregistered, byFace, byVisual })}`);
} finally {
  await browser.close();
}
