// The demo relying party's signing demo (<base>/demo-rp/) in headless
// Chromium (Debian's): opens its page, sends the sample document with
// "この文書にマイナンバーカードで署名する", lands on the provider's
// authorization page (scope sign) and saves a screenshot of it (its QR code
// is decoded and answered with `openmyna app sign` and the card outside),
// then waits, without any click, until the demo page shows the signed
// document, and prints what it shows as one JSON line: the document, the
// signature (base64), the certificate (PEM), the signer and both checks.
//   node demo_rp_sign.mjs DEMO_URL SHOT_PNG
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
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ja-JP', viewport: { width: 1000, height: 1400 } });
  // Generous: pages come from a debug or ASan build on a loaded 2-core machine.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  const response = await page.goto(demoUrl);
  if (response.status() !== 200) throw new Error(`demo page: ${response.status()}`);
  await page.getByRole('button', { name: 'この文書にマイナンバーカードで署名する' }).click();
  await page.waitForURL(/\/protocol\/openid-connect\/auth/, { timeout: 60_000 });
  await page.screenshot({ path: `${shot}.tmp.png`, fullPage: true });
  renameSync(`${shot}.tmp.png`, shot);  // the caller waits for the file
  await page.locator('#signed-document, #sign-error').first().waitFor({ timeout: 180_000 });
  if (await page.locator('#sign-error').count() > 0) {
    throw new Error(`refused: ${await page.locator('#sign-error').innerText()}`);
  }
  const text = async (id) => (await page.locator(id).textContent());
  console.log(`SIGNED ${JSON.stringify({
    status: await text('#sign-status'),
    document: await text('#document'),
    signature: await text('#signature'),
    certificate: await text('#certificate'),
    signer: await text('#signer'),
    sha256: await text('#document-sha256'),
    signature_ok: await text('#signature-ok'),
    certificate_ok: await text('#certificate-ok'),
  })}`);
} finally {
  await browser.close();
}
