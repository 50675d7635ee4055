// The browser part of "Sign in with My Number Card" in headless Chromium
// (Debian's): opens the authorization URL, saves a screenshot of the page
// (its QR code is decoded by zbarimg outside), then waits, without any
// click, for the page to continue by itself to the relying party's
// redirect URI and prints that URL (the relying party's host itself
// need not exist).
//   node sign_in_browser.mjs AUTH_URL REDIRECT_PREFIX SHOT_PNG
import { gotoOk, launchChromium, newPage, screenshotForCaller } from './chromium.mjs';

const [authUrl, redirectPrefix, shot] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await newPage(browser, { viewport: { width: 1000, height: 1400 } });
  let landed = null;
  // The redirect to the relying party (a Location the provider answered
  // with: route handlers do not see redirected requests, request events do).
  page.on('request', request => {
    if (landed === null && request.url().startsWith(redirectPrefix)) landed = request.url();
  });
  await gotoOk(page, authUrl, 'authorization page');
  await screenshotForCaller(page, shot);
  const deadline = Date.now() + 180_000;
  while (landed === null && Date.now() < deadline) {
    await page.waitForTimeout(250);
  }
  if (landed === null) throw new Error('the page did not continue to the relying party');
  console.log(`LANDED ${landed}`);
} finally {
  await browser.close();
}
