// The demo relying party (<base>/demo-rp/) in headless Chromium (Debian's):
// opens its page, clicks "マイナンバーカードでサインイン", lands on the
// provider's authorization page and saves a screenshot of it (its QR code is
// decoded and answered with the card outside), then waits, without any
// click, until the demo relying party shows the signed-in page, and prints
// the claims it shows as one JSON line.
//   node demo_rp_browser.mjs DEMO_URL SHOT_PNG
import { chromium } from 'playwright-core';
import { renameSync } from 'node:fs';

const [demoUrl, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
try {
  // The sandbox TLS root is not the browser's (the demo relying party
  // checks the provider's certificate itself, with the sandbox root).
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ja-JP', viewport: { width: 1000, height: 1400 } });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  const response = await page.goto(demoUrl);
  if (response.status() !== 200) throw new Error(`demo page: ${response.status()}`);
  const lang = await page.locator('html').getAttribute('lang');
  await page.getByRole('link', { name: 'マイナンバーカードでサインイン' }).click();
  await page.waitForURL(/\/protocol\/openid-connect\/auth/, { timeout: 60_000 });
  await page.screenshot({ path: `${shot}.tmp.png`, fullPage: true });
  renameSync(`${shot}.tmp.png`, shot);  // the caller waits for the file
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
