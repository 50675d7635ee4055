// The portal's signed-in pages in headless Chromium (Debian's), driven with
// the Python side (portal_signed_in_test.py), which plays the phone and the
// clerk and checks what this script saw against the registry API. Files in
// WORK pass the turns: this script writes qr.png / link.txt (the provider's
// page), sign-link.txt / sign-link-KIND.txt (the provider's signing pages),
// apply.json / apply-KIND.json (the exact bytes signed) and *.json dumps of
// pages; the Python side writes apply.pem (the CMS the clerk received) and
// decided (the clerk's rejection reason).
//   node portal_signed_in.mjs pages BASE WORK SHOTS   (QR login, every page)
//   node portal_signed_in.mjs idle  BASE WORK         (link login, idle timeout)
//   node portal_signed_in.mjs faceauth BASE WORK SHOTS (a face-auth card refused)
//   node portal_signed_in.mjs notices BASE WORK   (link login, お知らせ and
//                                       あなたの情報 dumped: portal_renewal_test.py)
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { axeClean as axe, launchChromium } from './chromium.mjs';

const [mode, base, work, shots] = process.argv.slice(2);
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

// Desktop (the context's 1280 px) and phone (375 px) width; for a page
// reached by GET also in English (?lang=en, then back to Japanese; the
// choice is remembered in a cookie).
async function shot(page, name, english = true) {
  if (!shots) return;
  const both = async suffix => {
    await page.screenshot({ path: `${shots}/${name}-desktop${suffix}.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: `${shots}/${name}-phone${suffix}.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  await both('');
  if (!english) return;
  const url = new URL(page.url());
  url.searchParams.set('lang', 'en');
  await page.goto(url.href);
  await both('-en');
  url.searchParams.set('lang', 'ja');
  await page.goto(url.href);
}

// Keyboard only: Tab from the top of the page reaches every visible
// control (links, buttons, fields, summaries) in turn, and each focused one
// shows a focus indicator (outline or box-shadow, as :focus-visible draws).
async function keyboardWalk(page, what) {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary';
  const total = await page.$$eval(selector, els => els.filter(e => e.getClientRects().length > 0).length);
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  // A date field takes one Tab per part (year, month, day).
  for (let i = 0; i < total * 3 + 10 && reached.size < total; ++i) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(sel => {
      const all = [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length > 0);
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { index: all.indexOf(el), visible, tag: el.tagName };
    }, selector);
    if (at.index < 0) continue;  // the browser's own UI or the body
    assert.ok(at.visible, `${what}: no visible focus on control ${at.index} (${at.tag})`);
    reached.add(at.index);
  }
  assert.equal(reached.size, total, `${what}: Tab reached ${reached.size} of ${total} controls`);
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

const browser = await launchChromium();
try {
  // The sandbox TLS root is not the browser's; the provider's chain is
  // checked by authlib in tests/sign_in.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, acceptDownloads: true,
                                             locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
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
    await shot(page, 'login-refused-face-auth', false);
    await page.goto(`${portal}/me`);
    assert.equal(new URL(page.url()).pathname, '/portal/', 'not signed in');
    console.log('faceauth: refused with the reason, no session');
  } else if (mode === 'notices') {
    // What お知らせ and あなたの情報 show on the sandbox's day (serve --now):
    // the driver compares them with dates it computes itself.
    await login(page, 'link');
    await page.goto(`${portal}/notices`);
    await axe(page, 'notices');
    const notices = await page.$$eval('ul.notices li', items => items.map(i => i.textContent.replace(/\s+/g, ' ').trim()));
    const unread = await page.$$eval('li.notice-unread', items => items.length);
    await page.goto(`${portal}/me`);
    const me = await page.$$eval('main tr', rows => rows.map(r => [...r.children].map(c => c.textContent.trim())));
    writeAtomically(`${work}/renewal.json`, JSON.stringify({ notices, unread, me }));
    console.log(`notices: ${notices.length} shown, ${unread} unread`);
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
    await keyboardWalk(page, 'home');
    await shot(page, 'signed-in-home');
    writeAtomically(`${work}/home.json`, JSON.stringify({ header: await page.textContent('header') }));

    // あなたの情報: each table's rows as [header, cell] pairs for the driver.
    await page.goto(`${portal}/me`);
    await axe(page, 'me');
    await keyboardWalk(page, 'me');
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

    // 健康保険証: not registered yet (the driver removed the seed's
    // registration); 健康保険証利用登録 from the portal, then the page shows
    // the registration and the sample memberships of db seed.
    await page.goto(`${portal}/insurance`);
    await axe(page, 'insurance (not registered)');
    assert.match(await page.textContent('#registration + p + p'), /まだ登録されていません/);
    await shot(page, 'signed-in-insurance-register');
    const registered = await Promise.all([page.waitForNavigation(), page.click('#insurance-register')]);
    assert.equal(new URL(page.url()).pathname, '/portal/insurance', `${registered[0].status()}: ${await page.textContent('main')}`);
    assert.match(await page.textContent('section[aria-labelledby="registration"]'), /登録済みです（\d{4}/);
    assert.equal(await page.$('#insurance-register'), null, 'no second registration button');
    writeAtomically(`${work}/insurance-registered`, 'yes');
    await axe(page, 'insurance');
    await shot(page, 'signed-in-insurance');
    assert.ok((await page.$$('#memberships ~ .table-wrap tbody tr, section[aria-labelledby="memberships"] tbody tr')).length >= 1, 'no membership shown');

    // やりとり履歴 and its CSV, after a clerk read the record through the
    // registry API (the driver).
    await waitForFile(`${work}/clerk-read`);
    await page.goto(`${portal}/history`);
    await axe(page, 'history');
    await keyboardWalk(page, 'history');
    await shot(page, 'signed-in-history');
    const rows = await page.evaluate(() => [...document.querySelectorAll('main tbody tr')].map(
      tr => [...tr.querySelectorAll('td')].map(c => c.textContent.trim())));
    writeAtomically(`${work}/history.json`, JSON.stringify(rows));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    await download.saveAs(`${work}/history.csv`);

    // ぴったりサービス: the first kind, every field filled, signed by the
    // card through the provider's signing API: the provider's page (QR code
    // and link) is left to the driver, which runs `openmyna app sign`; the
    // page comes back to the portal, which submits the CMS it assembled.
    await page.goto(`${portal}/apply`);
    await axe(page, 'apply');
    await shot(page, 'signed-in-apply');
    await page.click('main ul li:first-child a');
    const formUrl = page.url();
    await axe(page, 'apply form');
    await keyboardWalk(page, 'apply form');
    await shot(page, 'signed-in-apply-form');
    for (const input of await page.$$('main form input[type="text"]')) {
      await input.fill((await input.getAttribute('name')).includes('municipality') ? '20218' : 'テスト 1');
    }
    await page.click('main form button[type="submit"]');
    await axe(page, 'apply confirm');
    await shot(page, 'signed-in-apply-confirm', false);
    writeAtomically(`${work}/apply.json`, await page.textContent('pre.signed-data code'));
    await page.click('#sign-with-app');
    await page.waitForURL(/\/api\/realms\/main\/protocol\/openid-connect\/auth/);
    assert.match(await page.textContent('#sign-hash'), /^[0-9a-fA-F:]{32,}/, 'the provider shows the hash to sign');
    await shot(page, 'signing-provider-page', false);
    writeAtomically(`${work}/sign-link.txt`, await page.getAttribute('#app-link', 'href'));
    await page.waitForURL(/\/portal\/apply\/callback/, { timeout: 240_000 });
    assert.match(await page.textContent('main'), /申請は市区町村に届きました/, await page.textContent('main'));
    await axe(page, 'apply done');
    await shot(page, 'signed-in-apply-done', false);
    writeAtomically(`${work}/applied`, 'yes');

    // A field changed after signing: the same CMS (the clerk's copy, as PEM
    // from the driver) pasted with one field changed is refused.
    await waitForFile(`${work}/apply.pem`);
    await page.goto(formUrl);
    const inputs = await page.$$('main form input[type="text"]');
    for (const [i, input] of inputs.entries()) {
      const name = await input.getAttribute('name');
      await input.fill(name.includes('municipality') ? '20218' : (i === inputs.length - 1 ? 'テスト 2' : 'テスト 1'));
    }
    await page.click('main form button[type="submit"]');
    await page.click('details summary');
    await page.fill('#signature', readFileSync(`${work}/apply.pem`, 'utf8'));
    const tampered = await Promise.all([page.waitForNavigation(), page.click('details form button[type="submit"]')]);
    assert.equal(tampered[0].status(), 422, await page.textContent('main'));
    assert.match(await page.textContent('main'), /a field changed after signing/);
    writeAtomically(`${work}/tampered`, 'refused');

    // The other procedures, each filled in Chromium and signed by the card
    // through the provider (the driver runs `openmyna app sign` on each
    // signing page): 納税証明書, 居所登録, the 利用登録申請 to the domicile
    // (13221, the seed's family register of 千曲 太郎) and 健康保険証利用登録.
    for (const kind of ['tax_certificate', 'delivery_address', 'konbini_registration', 'insurance_registration']) {
      await page.goto(`${portal}/apply`);
      await page.click(`main ul a[href$="/apply/${kind}"]`);
      for (const input of await page.$$('main form input[type="text"]')) {
        const name = await input.getAttribute('name');
        await input.fill(name === 'domicile_municipality' ? '13221' : `${name} テスト`);
      }
      await page.click('main form button[type="submit"]');
      writeAtomically(`${work}/apply-${kind}.json`, await page.textContent('pre.signed-data code'));
      await page.click('#sign-with-app');
      await page.waitForURL(/\/api\/realms\/main\/protocol\/openid-connect\/auth/);
      writeAtomically(`${work}/sign-link-${kind}.txt`, await page.getAttribute('#app-link', 'href'));
      await page.waitForURL(/\/portal\/apply\/callback/, { timeout: 240_000 });
      assert.match(await page.textContent('main'), /申請は市区町村に届きました/, `${kind}: ${await page.textContent('main')}`);
      writeAtomically(`${work}/applied-${kind}`, 'yes');
    }

    // お知らせ after the clerk's decision: unread marks, one marked read.
    await waitForFile(`${work}/decided`);
    const reason = JSON.parse(readFileSync(`${work}/decided`, 'utf8')).reason;
    await page.goto(`${portal}/notices`);
    await axe(page, 'notices');
    await keyboardWalk(page, 'notices');
    await shot(page, 'signed-in-notices');
    const unread = await page.$$eval('li.notice-unread', items => items.map(i => i.textContent.trim()));
    writeAtomically(`${work}/notices.json`, JSON.stringify(unread));
    assert.ok(unread.length >= 1, 'no unread notice');
    // The clerk's rejection of the 利用登録申請, with the clerk's reason.
    assert.ok(unread.some(n => /不受理とされました/.test(n) && n.includes(reason)), `no rejection notice: ${unread}`);
    await page.click('li.notice-unread form button');
    const after = await page.$$eval('li.notice-unread', items => items.length);
    assert.equal(after, unread.length - 1, 'marking one notice read');

    // ぴったりサービス lists the five applications with their states.
    await page.goto(`${portal}/apply`);
    const states = await page.$$eval('main tbody tr', rows => rows.map(r => [...r.children].map(c => c.textContent.trim())));
    writeAtomically(`${work}/apply-list.json`, JSON.stringify(states));

    // コンビニ交付: the card, the certificates and fees of residence and
    // domicile, and the 利用登録申請 rejected with the clerk's reason.
    await page.goto(`${portal}/konbini`);
    await axe(page, 'konbini');
    await keyboardWalk(page, 'konbini');
    await shot(page, 'signed-in-konbini');
    const konbini = await page.evaluate(() => ({
      card: document.querySelector('#konbini-card').textContent.trim(),
      registration: document.querySelector('#konbini-registration-state')?.textContent.trim() ?? '',
      main: document.querySelector('main').textContent,
      tables: Object.fromEntries([...document.querySelectorAll('main table[aria-labelledby^="m-"]')].map(
        t => [t.getAttribute('aria-labelledby'),
              [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(c => c.textContent.trim()))])),
    }));
    writeAtomically(`${work}/konbini.json`, JSON.stringify(konbini));
    assert.match(konbini.registration, /不受理/);
    assert.ok(konbini.main.includes(reason), 'the clerk\'s reason on コンビニ交付');
    assert.ok(await page.$('main a[href$="/apply/konbini_registration"]'), 'the way to apply again');

    // Proxy (代理人): the child the driver registered with this resident as
    // legal representative; its pages are the child's, then back.
    const others = JSON.parse(readFileSync(`${work}/others.json`, 'utf8'));
    await page.goto(`${portal}/`);
    await Promise.all([page.waitForURL(`${portal}/me`), page.click(`section[aria-labelledby="proxy-${others.child}"] button`)]);
    await axe(page, 'proxy me');
    await shot(page, 'proxy-me');
    const proxyMe = await page.evaluate(() => ({
      header: document.querySelector('header').textContent,
      basic: [...document.querySelectorAll('main section:first-of-type tr')].map(
        tr => [...tr.querySelectorAll('th,td')].map(c => c.textContent.trim())) }));
    writeAtomically(`${work}/proxy-me.json`, JSON.stringify(proxyMe));
    await page.goto(`${portal}/history`);
    await page.goto(`${portal}/`);
    await Promise.all([page.waitForNavigation(), page.click('section[aria-labelledby="proxy"] button')]);
    assert.equal(await page.$('section[aria-labelledby="proxy"]'), null, 'proxy ended');

    // Another resident's data is not reachable by naming their id: a
    // resident the driver registered (not represented) through the proxy
    // switch (404), and ids in the query of the pages are ignored.
    const csrf = await page.getAttribute('header form input[name="csrf"]', 'value');
    const switched = await page.evaluate(async ([csrf, id]) => {
      const r = await fetch('/portal/proxy', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                                               body: `csrf=${csrf}&resident=${encodeURIComponent(id)}` });
      return { status: r.status, text: await r.text() };
    }, [csrf, others.member]);
    assert.equal(switched.status, 404, 'proxy switch to a resident not represented');
    for (const path of [`/me?resident=${others.member}`, `/me?id=${others.member}`, `/history?resident=${others.member}`,
                        `/history.csv?resident=${others.member}`, `/insurance?resident=${others.member}`,
                        `/notices?resident=${others.member}`, `/apply?resident=${others.member}`]) {
      const r = await page.request.get(`${portal}${path}`);
      assert.equal(r.status(), 200, path);
      const text = await r.text();
      assert.ok(!text.includes(others.member_name), `${path} shows ${others.member_name}`);
      if (path.startsWith('/me')) assert.ok(text.includes(others.self_name), `${path}: not the own page`);
    }
    writeAtomically(`${work}/proxy-done`, 'yes');

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
    console.log('pages: QR login, me, history + CSV, five applications, notices (accepted, rejected), konbini, CSRF, logout');
  }
  await context.close();
} finally {
  await browser.close();
}
