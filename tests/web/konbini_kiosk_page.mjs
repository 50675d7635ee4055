// The touch-screen kiosk /kiosk/ in headless Chromium (Debian's), driven by
// tests/konbini/kiosk_page.py with the card in the private pcscd's virtual
// reader of the machine that runs serve: Japanese first, axe-core finds no
// serious or critical WCAG finding on any screen, every button and choice is
// a touch target of at least 44×44 CSS px (WCAG 2.5.5); a wrong PIN is
// refused with the card's tries left; a cancelled session goes back to the
// first screen; the 利用登録申請 of the registered domicile instead of a
// certificate (the form's values from WORK/registration.json, the
// application's number shown; kiosk_page.py finds it in the inbox); then
// 住民票の写し for the whole household with 世帯主・続柄,
// 2 copies, the fee shown, paid (simulated), the PDF taken once (saved to
// WORK/kiosk.pdf for the Python side) and gone after that; a second one
// paid for and left behind (終了 without taking it: never handed out); the
// English
// switch. Writes WORK/kiosk.json (request id and fee as the page showed
// them, and the application's number). MODE "session" (the page against a centre in another process)
// runs the whole session alone: the screens' titles and touch targets, no
// axe, no wrong PIN, cancel or English (the page is the same).
//   node konbini_kiosk_page.mjs BASE_URL WORK PIN [SHOTS_DIR [MODE]]
import { readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { screenChecker, touchScreenPage } from './touch_screen.mjs';

const [base, work, pin, shots, mode = 'full'] = process.argv.slice(2);
const kiosk = `${base}/kiosk`;
const full = mode === 'full';

// The kiosk's screen (not the site header).
const screen = screenChecker({
  controls: '.kiosk button, .kiosk a.button, .kiosk select, .kiosk input:not([type=hidden])',
  prefix: 'kiosk',
  shots,
  axe: full,
  // The reason shown when a screen did not come (e.g. the centre refused).
  explain: async (page) => (await page.isVisible('#kiosk-error')) ? page.textContent('#kiosk-error') : '',
});

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const browser = await launchChromium();
try {
  // A kiosk's touch screen: 1080×1920 portrait.
  const page = await touchScreenPage(browser, 1080, 1920, { acceptDownloads: true });
  const first = await page.goto(`${kiosk}/`);
  assert.equal(first.status(), 200);
  await screen(page, 'welcome', '証明書の交付');
  assert.ok((await page.textContent('.kiosk')).includes('SANDBOX'));

  if (full) {
    // A wrong PIN: refused with the tries left, still at the PIN screen.
    await submit(page, '#start');
    await screen(page, 'pin', '暗証番号');
    await page.fill('#pin', pin === '0000' ? '1111' : '0000');
    await submit(page, '#pin-ok');
    const wrong = await page.textContent('#kiosk-error');
    assert.ok(wrong.includes('暗証番号が違います') && wrong.includes('残り'), `wrong PIN: ${wrong}`);

    // Signed in, then cancelled: back to the first screen.
    await page.fill('#pin', pin);
    await submit(page, '#pin-ok');
    await screen(page, 'choose', '証明書を選んでください');
    await submit(page, '#cancel');
    assert.ok(await page.isVisible('#start'), 'cancel: not back at the first screen');
  }

  let applicationId = '';
  if (full) {
    // The 利用登録申請 instead of a certificate: an empty form is refused
    // on its screen, a filled one filed.
    const registration = JSON.parse(readFileSync(`${work}/registration.json`, 'utf8'));
    await submit(page, '#start');
    await page.fill('#pin', pin);
    await submit(page, '#pin-ok');
    await screen(page, 'choose', '証明書を選んでください');
    await submit(page, '#register');
    await screen(page, 'register', '利用登録申請');
    await page.tap(`label:has(input[name=municipality][value="${registration.municipality}"])`);
    await page.fill('#domicile', ' ');
    await page.fill('#head-of-family', registration.head_of_family);
    await submit(page, '#apply');
    const empty = await page.textContent('#kiosk-error');
    assert.ok(empty.includes('本籍と筆頭者を入力'), `empty 本籍: ${empty}`);
    await page.tap(`label:has(input[name=municipality][value="${registration.municipality}"])`);
    await page.fill('#domicile', registration.domicile);
    await page.fill('#head-of-family', registration.head_of_family);
    await submit(page, '#apply');
    await screen(page, 'registered', '受け付けました');
    applicationId = (await page.textContent('#application-id')).trim();
    assert.match(applicationId, /^oa-[0-9a-f]+$/);
    await submit(page, '#finish');
    assert.ok(await page.isVisible('#start'), 'registered: not back at the first screen');
  }

  // The whole session.
  await submit(page, '#start');
  if (!full) await screen(page, 'pin', '暗証番号');
  await page.fill('#pin', pin);
  await submit(page, '#pin-ok');
  if (!full) await screen(page, 'choose', '証明書を選んでください');
  await page.tap('label:has(input[name=certificate][value=juminhyo])');
  await page.tap('label:has(input[name=household])');
  await page.tap('label:has(input[name=head])');
  await page.selectOption('#copies', '2');
  await submit(page, '#choose-ok');
  await screen(page, 'confirm', '料金');
  const fee = (await page.textContent('#fee')).trim();
  await submit(page, '#pay');
  await screen(page, 'done', '印刷しました');
  const requestId = (await page.textContent('#request-id')).trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#document')]);
  await download.saveAs(`${work}/kiosk.pdf`);
  // Taken once: the machine keeps nothing.
  const again = await page.request.get(`${kiosk}/document.pdf`);
  assert.equal(again.status(), 404, 'the PDF was handed out twice');
  await page.reload();
  assert.ok(!(await page.isVisible('#document')), 'the PDF link is still there');
  await submit(page, '#finish');
  assert.ok(await page.isVisible('#start'), 'finish: not back at the first screen');

  let untakenId = '';
  if (full) {
    // Paid for and never taken: 終了 leaves it, the machine hands nothing
    // out afterwards (kiosk_page.py finds its ledger row void).
    await submit(page, '#start');
    await page.fill('#pin', pin);
    await submit(page, '#pin-ok');
    await page.tap('label:has(input[name=certificate][value=juminhyo])');
    await submit(page, '#choose-ok');
    await submit(page, '#pay');
    assert.ok(await page.isVisible('#document'), 'untaken: no PDF offered');
    untakenId = (await page.textContent('#request-id')).trim();
    await submit(page, '#finish');
    const gone = await page.request.get(`${kiosk}/document.pdf`);
    assert.equal(gone.status(), 404, 'a PDF left behind was handed out after 終了');
  }

  if (full) {
    // English.
    await page.goto(`${kiosk}/?lang=en`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.textContent('#start')).includes('Start'));
  }
  writeFileSync(`${work}/kiosk.json`, JSON.stringify({ request_id: requestId, fee, application_id: applicationId, untaken_id: untakenId }));
  await page.context().close();
  console.log(full
    ? `konbini /kiosk/: axe clean and touch targets on every screen, wrong PIN, cancel, 利用登録申請 ${applicationId}, ${requestId} printed (${fee}), taken once, English`
    : `konbini /kiosk/ (${mode}): ${requestId} printed (${fee}), taken once`);
} finally {
  await browser.close();
}
