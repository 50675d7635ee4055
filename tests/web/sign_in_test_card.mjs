// The test-card substitute page (テストカード代替機能) in headless Chromium
// (Debian's): opens the authorization URL, picks the radio button whose
// label contains CHOICE (a resident's name or a forced error), submits, and
// prints the URL the page went on to (the relying party's redirect URI).
//   node sign_in_test_card.mjs AUTH_URL REDIRECT_PREFIX CHOICE
import { gotoOk, launchChromium, newPage } from './chromium.mjs';

const [authUrl, redirectPrefix, choice] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await newPage(browser);
  let landed = null;
  page.on('request', request => {
    if (landed === null && request.url().startsWith(redirectPrefix)) landed = request.url();
  });
  await gotoOk(page, authUrl, 'authorization page');
  await page.getByLabel(choice).check({ timeout: 60_000 });
  await page.locator('#test-card-submit').click();
  const deadline = Date.now() + 120_000;
  while (landed === null && Date.now() < deadline) await page.waitForTimeout(250);
  if (landed === null) throw new Error('the page did not go on to the relying party');
  console.log(`LANDED ${landed}`);
} finally {
  await browser.close();
}
