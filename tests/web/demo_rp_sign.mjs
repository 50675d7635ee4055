// The demo relying party's signing demo (<base>/demo-rp/) in headless
// Chromium (Debian's): opens its page, sends the sample document with
// "この文書にマイナンバーカードで署名する", lands on the provider's
// authorization page (scope sign) and saves a screenshot of it (its QR code
// is decoded and answered with `openmyna app sign` and the card outside),
// then waits, without any click, until the demo page shows the signed
// document, and prints what it shows as one JSON line: the document, the
// signature (base64), the certificate (PEM), the signer and both checks.
//   node demo_rp_sign.mjs DEMO_URL SHOT_PNG
import { gotoOk, launchChromium, newPage, screenshotForCaller } from './chromium.mjs';

const [demoUrl, shot] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await newPage(browser, { locale: 'ja-JP', viewport: { width: 1000, height: 1400 } });
  await gotoOk(page, demoUrl, 'demo page');
  await page.getByRole('button', { name: 'この文書にマイナンバーカードで署名する' }).click();
  await page.waitForURL(/\/protocol\/openid-connect\/auth/, { timeout: 60_000 });
  await screenshotForCaller(page, shot);
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
