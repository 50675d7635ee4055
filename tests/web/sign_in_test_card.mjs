// The test-card substitute page (テストカード代替機能) in headless Chromium
// (Debian's): opens the authorization URL, picks the radio button whose
// label contains CHOICE (a resident's name or a forced error), submits, and
// prints the URL the page went on to (the relying party's redirect URI).
//   node sign_in_test_card.mjs AUTH_URL REDIRECT_PREFIX CHOICE
import { chromium } from 'playwright-core';

const [authUrl, redirectPrefix, choice] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
try {
  // The sandbox TLS root is not the browser's (authlib checks the chain).
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  let landed = null;
  page.on('request', request => {
    if (landed === null && request.url().startsWith(redirectPrefix)) landed = request.url();
  });
  const response = await page.goto(authUrl);
  if (response.status() !== 200) throw new Error(`authorization page: ${response.status()}`);
  await page.getByLabel(choice).check({ timeout: 60_000 });
  await page.locator('#test-card-submit').click();
  const deadline = Date.now() + 120_000;
  while (landed === null && Date.now() < deadline) await page.waitForTimeout(250);
  if (landed === null) throw new Error('the page did not go on to the relying party');
  console.log(`LANDED ${landed}`);
} finally {
  await browser.close();
}
