// The portal's signed-in pages in headless Chromium (Debian's), driven with
// the Python side (portal_signed_in_test.py), which plays the phone and the
// clerk and checks what this script saw against the registry API. Files in
// WORK pass the turns: this script writes qr.png / link.txt (the provider's
// page), apply.json (the exact bytes to sign) and *.json dumps of pages; the
// Python side writes apply.pem (the card's CMS signature) and decided.
//   node portal_signed_in.mjs pages BASE WORK SHOTS   (QR login, every page)
//   node portal_signed_in.mjs idle  BASE WORK         (link login, idle timeout)
//   node portal_signed_in.mjs faceauth BASE WORK SHOTS (a face-auth card refused)
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const [mode, base, work, shots] = process.argv.slice(2);
const axeSource = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const portal = `${base}/portal`;

async function waitForFile(path, seconds = 240) {
  const deadline = Date.now() + seconds * 1000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no ${path} from the test driver`);
    await new Promise(r => setTimeout(r, 200));
  }
}

function writeAtomically(path, text) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

// axe-core: no serious or critical WCAG 2.1 A/AA finding.
async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map(v => `${v.id}: ${v.help}`), [], `${what}: axe`);
}

// Desktop (the context's 1280 px) and phone (375 px) width.
async function shot(page, name) {
  if (!shots) return;
  await page.screenshot({ path: `${shots}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  await page.screenshot({ path: `${shots}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

// From the login page to the signed-in home: the provider's page is left to
// the Python side (QR code from a screenshot, or the link), then the page
// returns to the portal by itself (meta refresh, no click).
async function login(page, how) {
  const login = await page.goto(`${portal}/`);
  assert.equal(login.status(), 200);
  await page.click(`form:has(input[name="method"][value="${how === 'qr' ? 'qr' : 'device'}"]) button`);
  await page.waitForURL(/\/api\/realms\/main\/protocol\/openid-connect\/auth/);
  if (how === 'qr') {
    await page.screenshot({ path: `${work}/qr.tmp.png`, fullPage: true });
    renameSync(`${work}/qr.tmp.png`, `${work}/qr.png`);
  } else {
    writeAtomically(`${work}/link.txt`, await page.getAttribute('#app-link', 'href'));
  }
  await page.waitForURL(`${portal}/`, { timeout: 240_000 });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // The sandbox TLS root is not the browser's; the provider's chain is
  // checked by authlib in tests/sign_in.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, acceptDownloads: true,
                                             locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (mode === 'faceauth') {
    // A face-authentication card (no PIN, no certificate): the app tells
    // the provider (face_auth_card), the browser comes back with it, and
    // the portal explains it in the guidebook's words; no session.
    await page.goto(`${portal}/`);
    await page.click('form:has(input[name="method"][value="device"]) button');
    await page.waitForURL(/\/api\/realms\/main\/protocol\/openid-connect\/auth/);
    writeAtomically(`${work}/link.txt`, await page.getAttribute('#app-link', 'href'));
    await page.waitForURL(/\/portal\/callback/, { timeout: 240_000 });
    const text = await page.textContent('main');
    assert.match(text, /顔認証マイナンバーカードのため、マイナポータルにはログインできません/);
    assert.match(text, /face_auth_card/);
    await axe(page, 'face-auth refusal');
    await shot(page, 'login-refused-face-auth');
    await page.goto(`${portal}/me`);
    assert.equal(new URL(page.url()).pathname, '/portal/', 'not signed in');
    console.log('faceauth: refused with the reason, no session');
  } else if (mode === 'idle') {
    await login(page, 'link');
    assert.ok((await page.textContent('main')).length > 0);
    writeAtomically(`${work}/home.json`, JSON.stringify({ header: await page.textContent('header') }));
    // Idle for longer than serve --set portal.idle-timeout: the next page
    // says why the session ended and offers the way back.
    await page.waitForTimeout(Number(process.env.IDLE_WAIT_MS || 20000));
    const expired = await page.goto(`${portal}/me`);
    assert.equal(expired.status(), 401);
    assert.match(await page.textContent('main'), /一定時間操作がなかったため/);
    console.log('idle: link login, session expired after the idle timeout');
  } else {
    await login(page, 'qr');
    await axe(page, 'home');
    await shot(page, 'signed-in-home');
    writeAtomically(`${work}/home.json`, JSON.stringify({ header: await page.textContent('header') }));

    // あなたの情報: each table's rows as [header, cell] pairs for the driver.
    await page.goto(`${portal}/me`);
    await axe(page, 'me');
    await shot(page, 'signed-in-me');
    const me = await page.evaluate(() => {
      const sections = {};
      for (const s of document.querySelectorAll('main section')) {
        sections[s.querySelector('h2').id] = [...s.querySelectorAll('tr')].map(
          tr => [...tr.querySelectorAll('th,td')].map(c => c.textContent.trim()));
      }
      return sections;
    });
    writeAtomically(`${work}/me.json`, JSON.stringify(me));

    // 健康保険証: the sample insurance data of db seed (memberships, medication).
    await page.goto(`${portal}/insurance`);
    await axe(page, 'insurance');
    await shot(page, 'signed-in-insurance');
    assert.ok((await page.$$('#memberships ~ .table-wrap tbody tr, section[aria-labelledby="memberships"] tbody tr')).length >= 1, 'no membership shown');

    // やりとり履歴 and its CSV.
    await page.goto(`${portal}/history`);
    await axe(page, 'history');
    await shot(page, 'signed-in-history');
    const rows = await page.evaluate(() => [...document.querySelectorAll('main tbody tr')].map(
      tr => [...tr.querySelectorAll('td')].map(c => c.textContent.trim())));
    writeAtomically(`${work}/history.json`, JSON.stringify(rows));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    await download.saveAs(`${work}/history.csv`);

    // ぴったりサービス: the first kind, every field filled, the exact bytes
    // to sign handed to the driver, which signs them with the card.
    await page.goto(`${portal}/apply`);
    await axe(page, 'apply');
    await page.click('main ul li:first-child a');
    await axe(page, 'apply form');
    for (const input of await page.$$('main form input[type="text"]')) {
      await input.fill((await input.getAttribute('name')).includes('municipality') ? '20218' : 'テスト 1');
    }
    await page.click('main form button[type="submit"]');
    await axe(page, 'apply confirm');
    await shot(page, 'signed-in-apply-confirm');
    writeAtomically(`${work}/apply.json`, await page.textContent('pre.signed-data code'));
    await waitForFile(`${work}/apply.pem`);
    await page.fill('#signature', readFileSync(`${work}/apply.pem`, 'utf8'));
    const submitted = await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
    assert.equal(submitted[0].status(), 200, await page.textContent('main'));
    writeAtomically(`${work}/applied`, 'yes');

    // お知らせ after the clerk's decision: unread marks, one marked read.
    await waitForFile(`${work}/decided`);
    await page.goto(`${portal}/notices`);
    await axe(page, 'notices');
    await shot(page, 'signed-in-notices');
    const unread = await page.$$eval('li.notice-unread', items => items.map(i => i.textContent.trim()));
    writeAtomically(`${work}/notices.json`, JSON.stringify(unread));
    assert.ok(unread.length >= 1, 'no unread notice');
    await page.click('li.notice-unread form button');
    const after = await page.$$eval('li.notice-unread', items => items.length);
    assert.equal(after, unread.length - 1, 'marking one notice read');

    // CSRF: a form whose token was changed is refused and changes nothing.
    await page.goto(`${portal}/me`);
    await page.evaluate(() => { document.querySelector('header form input[name="csrf"]').value = '0'.repeat(64); });
    const refused = await Promise.all([page.waitForNavigation(), page.click('header form button')]);
    assert.equal(refused[0].status(), 403);
    assert.match(await page.textContent('main'), /有効期限が切れているか、別の画面から送信されました/);
    assert.equal((await page.goto(`${portal}/me`)).status(), 200, 'still signed in after the refused logout');

    // Logout: the pages need a new login.
    await page.click('header form button');
    assert.match(await page.textContent('main'), /ログアウトしました/);
    await page.goto(`${portal}/me`);
    assert.equal(new URL(page.url()).pathname, '/portal/');
    assert.ok(await page.$('input[name="method"][value="qr"]'), 'the login page again');
    console.log('pages: QR login, me, history + CSV, application, notices, CSRF, logout');
  }
  await context.close();
} finally {
  await browser.close();
}
