/*
 * Slipway's boot guard: a classic script that runs before the UI's module scripts.
 *
 * When one of the UI's own files does not arrive before the app has started (a dropped
 * connection; Chromium also fails requests in flight with ERR_NETWORK_CHANGED whenever a network
 * interface appears, which happens on a host where Docker starts containers), the module graph
 * never runs and the tab would stay blank for good. This reloads the tab a few times, waiting a
 * little longer each time; if the files still do not come, it says so in the reader's language
 * with a button to try again. The app clears the count once it runs (web/src/main.tsx).
 *
 * It is a file of its own, not inline, because the server's CSP allows no inline script. Its
 * texts live here, in English and Simplified Chinese, because the UI's catalogue is in the very
 * files that did not load.
 */
(() => {
  const TRIES_KEY = 'slipway.bootTries';
  const MAX_TRIES = 3;
  const TEXTS = {
    en: {
      title: 'Slipway could not be loaded',
      detail: 'Some of its files did not arrive (the network or the server dropped them).',
      retry: 'Try again',
    },
    'zh-CN': {
      title: '无法加载 Slipway',
      detail: '部分文件未能送达（网络或服务器中断了连接）。',
      retry: '重试',
    },
  };
  let handled = false;

  const appStarted = () => (document.getElementById('root')?.childElementCount ?? 0) > 0;

  const readerLang = () => {
    try {
      const saved = localStorage.getItem('slipway.lang');
      if (saved === 'en' || saved === 'zh-CN') return saved;
    } catch {
      // Storage disabled: the browser's language decides.
    }
    return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  };

  const showNote = () => {
    const texts = TEXTS[readerLang()];
    const root = document.getElementById('root');
    if (!root) return;
    const box = document.createElement('section');
    box.className = 'page-error';
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'boot-error';
    const title = document.createElement('h2');
    title.textContent = texts.title;
    const detail = document.createElement('p');
    detail.textContent = texts.detail;
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = texts.retry;
    retry.addEventListener('click', () => {
      try {
        sessionStorage.removeItem(TRIES_KEY);
      } catch {
        // Nothing to clear.
      }
      location.reload();
    });
    box.append(title, detail, retry);
    root.replaceChildren(box);
  };

  // Load failures of scripts and stylesheets do not bubble; a listener on window in the capture
  // phase still sees them (the target is the <script> or <link> element).
  window.addEventListener(
    'error',
    (event) => {
      const element = event.target;
      if (handled || !(element instanceof HTMLScriptElement || element instanceof HTMLLinkElement)) return;
      // A failed preload is not fatal: the module loader asks for the file again, and if that
      // fails too, the module script itself reports it.
      if (element instanceof HTMLLinkElement && element.rel === 'modulepreload') return;
      // Once the app runs, a page part that fails is the app's own business (its error boundary).
      if (appStarted()) return;
      handled = true;
      let tries = MAX_TRIES;
      try {
        const before = Number(sessionStorage.getItem(TRIES_KEY) ?? 0) || 0;
        sessionStorage.setItem(TRIES_KEY, String(before + 1));
        tries = before;
      } catch {
        // A count that cannot be kept could let reloads loop: say so at once instead.
      }
      if (tries < MAX_TRIES) setTimeout(() => location.reload(), 300 * 2 ** tries);
      else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showNote);
      else showNote();
    },
    true,
  );
})();
