// Launches the browsers the demo's browser tests run in, Debian's Chromium
// and Debian's Firefox ESR, both through puppeteer-core (Chromium over the
// DevTools protocol, Firefox over WebDriver BiDi), and gives each page the
// same small, Playwright-like API so that every test is written once.
//
// No browser is downloaded by a test tool: CHROMIUM, FIREFOX and
// FIREFOX_140 name the executables (`make deps-chromium deps-firefox
// deps-firefox140` installs the first two with apt on Debian and unpacks
// the third from Debian's package).
//
// Puppeteer adds its own globals to the pages it drives, such as
// `__ariaQuerySelector` and `__ariaQuerySelectorAll` (installed when it
// needs them): a test that checks which globals a page has must allow them.
import puppeteer from 'puppeteer-core';

// 'firefox' is Debian's firefox-esr (FIREFOX), the newer ESR, 153 or
// later; 'firefox140' Firefox ESR 140 (FIREFOX_140, which `make
// deps-firefox140` unpacks from Debian's package).
export const BROWSERS = ['chromium', 'firefox', 'firefox140'];

// Generous: headless Firefox can take several seconds to start on 2 cores.
const LAUNCH_TIMEOUT = 90_000;
// Puppeteer's default for waits and actions, as Playwright's.
const TIMEOUT = 30_000;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Launches the named browser (one of BROWSERS) headless, with a
 * fresh, empty profile of its own (puppeteer makes one per launch and
 * removes it on close). Resolves to {name, version, newPage(), close()}.
 */
export async function launch(name) {
  let options;
  if (name === 'chromium') {
    options = {
      browser: 'chrome',
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    };
  } else if (name === 'firefox' || name === 'firefox140') {
    options = {
      browser: 'firefox',
      executablePath: name === 'firefox' ? process.env.FIREFOX || '/usr/bin/firefox-esr'
        : process.env.FIREFOX_140 || new URL('../../.cache/firefox-esr-140/usr/lib/firefox-esr/firefox-esr', import.meta.url).pathname,
    };
  } else {
    throw new Error(`unknown browser ${name}`);
  }
  const browser = await puppeteer.launch({
    ...options,
    headless: true,
    timeout: LAUNCH_TIMEOUT,
    protocolTimeout: 2 * TIMEOUT,
  });
  const version = await browser.version();
  // Each name is the browser it says: the tests' claim to cover both ESRs.
  const major = Number(/^firefox\/(\d+)\./i.exec(version)?.[1]);
  const wrong = name === 'firefox140' ? major !== 140 : name === 'firefox' ? !(major >= 153) : false;
  if (wrong) {
    await browser.close();
    throw new Error(`${name}: ${options.executablePath} is ${version}, not Firefox ESR ${name === 'firefox140' ? '140' : '153 or later'}`);
  }
  return {
    name,
    version,
    /** A page in a fresh browser context (its own cookies and storage). */
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      return new Page(page, context);
    },
    close: () => browser.close(),
  };
}

/** One page, with the few calls the tests make, named as in Playwright. */
class Page {
  /** ownsContext: close() closes the whole browser context (newPage's pages). */
  constructor(page, context, ownsContext = true) {
    this.raw = page;
    this.context = context;
    this.ownsContext = ownsContext;
  }

  /**
   * Another page (a tab) in this page's browser context: same cookies and
   * storage partition. Closing it closes only that page.
   */
  async sibling() {
    const page = await this.context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    return new Page(page, this.context, false);
  }

  /**
   * Every cookie of the page's browser context, HttpOnly ones included, as
   * the browser holds them: {name, value, domain, path, httpOnly, secure,
   * sameSite ('Strict', 'Lax' or 'None'), expires, …}. Script on the page
   * cannot read HttpOnly cookies; the browser's cookie API can.
   */
  cookies() { return this.context.cookies(); }

  /** Listens for 'console' (message with type() and text()) or 'pageerror' (an Error). */
  on(event, listener) { this.raw.on(event, listener); }

  goto(url) { return this.raw.goto(url, { waitUntil: 'load' }); }
  reload() { return this.raw.reload({ waitUntil: 'load' }); }

  /** The page's URL as the driver last heard of it (navigations). */
  url() { return this.raw.url(); }

  /**
   * The page's URL as the browser holds it now, history.replaceState
   * included: what the address bar shows. Chromium reports such changes to
   * the driver, which url() gives; Firefox ESR 140 does not (its WebDriver
   * BiDi has no history-updated event), so in Firefox the browsing
   * context's URL is asked for (browsingContext.getTree), through
   * puppeteer-core's BiDi session.
   */
  async addressBar() {
    const context = this.raw.mainFrame().browsingContext;
    const session = context?.userContext?.browser?.session;
    if (!session) return this.raw.url();
    const { result } = await session.send('browsingContext.getTree', { root: context.id, maxDepth: 0 });
    return result.contexts[0].url;
  }

  /** The document's own location.href. */
  href() { return this.raw.evaluate(() => location.href); }

  /** Waits for a visible element, as Playwright's waitForSelector does by default. */
  waitForSelector(selector, { timeout = TIMEOUT } = {}) {
    return this.raw.waitForSelector(selector, { visible: true, timeout });
  }

  /**
   * Waits until fn(arg) is truthy in the page (Playwright's argument order)
   * and resolves to its value, polling from here with evaluate every 50 ms.
   * Not puppeteer's waitForFunction: that builds its predicate inside the
   * page with Function(), which a page's CSP without 'unsafe-eval' (the
   * demo's) refuses in Firefox ESR 140, so the tests would depend on the
   * CSP under test letting the driver's eval through. evaluate runs in
   * every browser whatever the page's CSP. An evaluate that fails (the page
   * navigating, an element not there yet) is tried again until the timeout.
   */
  async waitForFunction(fn, arg, { timeout = TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await this.raw.evaluate(fn, arg);
        if (v) return v;
        last = undefined;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeout} ms waiting for ${String(fn).slice(0, 200)}${last ? ` (last: ${last.message})` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Waits until the page's URL matches: a RegExp tested against the whole
   * URL, or a predicate given a URL object. The URL is the browser's, which
   * each driver updates when a navigation has committed.
   */
  async waitForURL(match, { timeout = TIMEOUT } = {}) {
    const ok = (u) => (match instanceof RegExp ? match.test(u) : match(new URL(u)));
    const deadline = Date.now() + timeout;
    for (;;) {
      const u = this.raw.url();
      if (ok(u)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the URL to match ${match}; it is ${u}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // click and fill wait with waitForSelector and this file's
  // waitForFunction, not with puppeteer's locators, whose waits for an
  // enabled element go through puppeteer's waitForFunction (see above).

  /** Clicks a visible, enabled element, waiting for it first. */
  async click(selector) {
    const el = await this.#enabled(selector);
    try {
      await el.click();
    } finally {
      await el.dispose();
    }
  }

  /** Replaces an input's value, as a person typing would: select all, type. */
  async fill(selector, value) {
    const el = await this.#enabled(selector);
    try {
      await el.evaluate((e) => { e.focus(); e.select(); });
      if (value === '') await el.press('Backspace');
      else await el.type(value);
    } finally {
      await el.dispose();
    }
  }

  async #enabled(selector) {
    await this.waitForSelector(selector);
    await this.waitForFunction((s) => {
      const e = document.querySelector(s);
      return e && !e.disabled;
    }, selector);
    return this.raw.waitForSelector(selector, { visible: true });
  }

  /** Picks the option of a <select> by value, firing input and change. */
  async selectOption(selector, value) {
    await this.raw.waitForSelector(selector);
    const picked = await this.raw.select(selector, value);
    if (!picked.includes(value)) throw new Error(`${selector} has no option ${value}`);
  }

  async #read(selector, fn, arg) {
    const el = await this.raw.waitForSelector(selector);
    try {
      return await el.evaluate(fn, arg);
    } finally {
      await el.dispose();
    }
  }

  textContent(selector) { return this.#read(selector, (e) => e.textContent); }
  getAttribute(selector, name) { return this.#read(selector, (e, n) => e.getAttribute(n), name); }
  inputValue(selector) { return this.#read(selector, (e) => e.value); }
  isDisabled(selector) { return this.#read(selector, (e) => e.disabled === true); }

  /** True when no element matches or the first one is not rendered. */
  isHidden(selector) {
    return this.raw.evaluate((s) => {
      const e = document.querySelector(s);
      return !e || !e.checkVisibility();
    }, selector);
  }

  /** How many elements match. */
  count(selector) { return this.raw.evaluate((s) => document.querySelectorAll(s).length, selector); }

  evaluate(fn, arg) { return this.raw.evaluate(fn, arg); }

  screenshot(options) { return this.raw.screenshot(options); }

  /** Closes the page's browser context, and with it the page; a sibling closes only itself. */
  close() { return this.ownsContext ? this.context.close() : this.raw.close(); }
}
