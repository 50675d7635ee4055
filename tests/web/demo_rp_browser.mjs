// The demo relying party (<base>/demo-rp/) in headless Chromium (Debian's):
// opens its page, clicks "マイナンバーカードでサインイン", lands on the
// provider's authorization page and saves a screenshot of it (its QR code is
// decoded and answered with the card outside), then waits, without any
// click, until the demo relying party shows the signed-in page, and prints
// the claims it shows as one JSON line.
//   node demo_rp_browser.mjs DEMO_URL SHOT_PNG
import { gotoOk, launchChromium, newPage, screenshotForCaller } from './chromium.mjs';

const [demoUrl, shot] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await newPage(browser, { locale: 'ja-JP', viewport: { width: 1000, height: 1400 } });
  await gotoOk(page, demoUrl, 'demo page');
  const lang = await page.locator('html').getAttribute('lang');
  await page.getByRole('link', { name: 'マイナンバーカードでサインイン' }).click();
  await page.waitForURL(/\/protocol\/openid-connect\/auth/, { timeout: 60_000 });
  await screenshotForCaller(page, shot);
  await page.locator('#signed-in, #error').first().waitFor({ timeout: 180_000 });
  if (await page.locator('#error').count() > 0) {
    throw new Error(`refused: ${await page.locator('#error').innerText()}`);
  }
  const claims = {};
  for (const row of await page.locator('#claims tr').all()) {
    const name = await row.locator('th').innerText();
    claims[name] = await row.locator('td').innerText();
  }
  console.log(`LANG ${lang}`);
  console.log(`CLAIMS ${JSON.stringify(claims)}`);
} finally {
  await browser.close();
}
