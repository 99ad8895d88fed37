/**
 * Page checks shared by the browser tests of the look and feel: a page drawn (not its error note),
 * sideways scrolling, and texts that are raw i18n keys (what `t()` shows when a key has no
 * translation in either language).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/**
 * Fails when the page shows its "could not be shown" note (PageErrorBoundary) instead of itself:
 * the note has paragraphs too, so a wait for any text would take it for the page.
 */
export async function assertDrawn(page: Page, label: string): Promise<void> {
  const note = page.locator('[data-testid=page-error]');
  if ((await note.count()) > 0) assert.fail(`${label} failed to draw: ${await note.first().textContent()}`);
}

/** The page's and body's scroll widths against the viewport: wider means sideways scrolling. */
export async function scrollWidths(page: Page): Promise<{ body: number; doc: number; viewport: number }> {
  return page.evaluate(() => ({
    body: document.body.scrollWidth,
    doc: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
}

/**
 * Visible texts and labels (title, aria-label, placeholder) that look like message keys —
 * `records.took`, `apps.status.queued` — outside code, logs and user input, where dotted names
 * are data. A key shows only when it is missing from both languages, so any hit is a bug.
 */
export async function rawKeysOn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const KEY = /^[a-z][a-zA-Z]*(\.[a-zA-Z_][\w-]*)+$/;
    const SKIP = 'code, pre, kbd, samp, script, style, textarea, [data-testid=log], .source-lines, .log';
    const found = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      if (!text || !KEY.test(text)) continue;
      if (node.parentElement?.closest(SKIP)) continue;
      found.add(text);
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (el.closest(SKIP)) continue;
      for (const attr of ['title', 'aria-label', 'placeholder']) {
        const value = el.getAttribute(attr)?.trim() ?? '';
        if (KEY.test(value)) found.add(`${attr}=${value}`);
      }
    }
    return [...found].sort();
  });
}
