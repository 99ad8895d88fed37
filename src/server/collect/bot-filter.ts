/**
 * User agents that are not people: search and social crawlers, monitoring probes, HTTP
 * libraries, and browsers driven by automation. Their page views would swamp a small site's
 * numbers, so their events are accepted (no retry storm) and dropped.
 *
 * Automation: the script sends `navigator.webdriver` and whether the page opted in to automated
 * browsers (`data-allow-automation` on the script tag — an app's own end-to-end tests in a
 * headless browser). Without the opt-in, a webdriver flag or a headless browser's user agent is
 * a bot; with it, only crawlers and HTTP libraries are.
 */
const CRAWLER_OR_LIBRARY =
  /bot\b|bot\/|crawl|spider|slurp|scrape|fetcher|lighthouse|pingdom|uptime|monitor|curl\/|wget\/|httpie|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|axios\/|node-fetch|undici|libwww|facebookexternalhit|preview/i;
const AUTOMATED_BROWSER = /headless|phantomjs|puppeteer|playwright|selenium|webdriver/i;

export interface ClientSignals {
  userAgent: string | undefined;
  /** `navigator.webdriver` as the script saw it. */
  webdriver?: boolean | undefined;
  /** The page allows automated browsers (`data-allow-automation`). */
  automationAllowed?: boolean | undefined;
}

export function isBot(client: ClientSignals): boolean {
  const ua = client.userAgent;
  if (!ua || ua.length < 8) return true;
  if (CRAWLER_OR_LIBRARY.test(ua)) return true;
  if (client.automationAllowed) return false;
  return client.webdriver === true || AUTOMATED_BROWSER.test(ua);
}
