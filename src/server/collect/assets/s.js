// Slipway page script: no cookies, no storage; hand-written, ≤ 2 KB gzip (tested).
((w, d) => {
  const me = d.currentScript;
  const site = me?.getAttribute('data-site');
  if (!site) return;
  const base = new URL(me.src).origin;
  const nav = navigator;
  const send = (path, body) => {
    body.site = site;
    body.url = location.href;
    if (nav.webdriver) body.webdriver = true;
    if (me.hasAttribute('data-allow-automation')) body.automation = true;
    const json = JSON.stringify(body);
    if (!path && nav.sendBeacon?.(`${base}/api/collect`, json)) return Promise.resolve();
    return fetch(`${base}/api/collect${path}`, {
      method: 'POST',
      body: json,
      keepalive: true,
      credentials: 'omit',
    });
  };
  let last;
  let errors = 0;
  const view = () => {
    if (last === location.pathname) return;
    last = location.pathname;
    errors = 0;
    send('', { kind: 'pageview', referrer: d.referrer });
  };
  const track = (name, props) => send('', { kind: 'event', name: String(name), props });
  const fail = (message, source) =>
    ++errors < 6 && send('', { kind: 'error', name: String(message).slice(0, 500), source });
  const queued = w.slipway?.q || [];
  w.slipway = track;
  const push = history.pushState;
  history.pushState = function (...a) {
    push.apply(this, a);
    view();
  };
  w.addEventListener('popstate', view);
  w.addEventListener('error', (e) => fail(e.message, e.filename && `${e.filename}:${e.lineno}:${e.colno}`));
  w.addEventListener('unhandledrejection', (e) => fail(e.reason?.message || e.reason));
  view();
  for (const a of queued) track(a[0], a[1]);

  // Feedback widget (when on), in the browser's language.
  const T = (
    /^zh/i.test(nav.language)
      ? '反馈|您的意见|评分|联系方式（可选）|发送|取消|谢谢！|发送失败，请重试'
      : 'Feedback|Your feedback|Rating|Contact (optional)|Send|Cancel|Thank you!|Not sent, please retry'
  ).split('|');
  const el = (tag, props, parent) => {
    const e = Object.assign(d.createElement(tag), props);
    parent.append(e);
    return e;
  };
  const css = 'position:fixed;right:16px;z-index:99999;font:14px sans-serif;border-radius:8px;';
  const widget = () => {
    const button = el('button', { type: 'button', textContent: T[0] }, d.body);
    button.dataset.slipway = 'feedback';
    button.style.cssText = `${css}bottom:16px;padding:8px 14px;border:0;background:#1f6feb;color:#fff`;
    let form;
    const close = () => {
      form?.remove();
      form = null;
      button.focus();
    };
    button.onclick = () => {
      if (form) return close();
      form = el('form', {}, d.body);
      form.dataset.slipway = 'feedback-form';
      form.style.cssText = `${css}bottom:60px;width:280px;display:grid;gap:6px;padding:12px;background:#fff;border:1px solid #bbb`;
      const field = (tag, name, i, more) =>
        el(tag, { name, ariaLabel: T[i], placeholder: T[i], ...more }, form);
      const message = field('textarea', 'message', 1, { required: true, maxLength: 2000, rows: 4 });
      const rating = field('select', 'rating', 2);
      for (const v of ['', 5, 4, 3, 2, 1])
        el('option', { value: v, textContent: v ? '★'.repeat(v) : T[2] }, rating);
      const contact = field('input', 'contact', 3, { maxLength: 200 });
      const trap = el(
        'input',
        { name: 'website', tabIndex: -1, autocomplete: 'off', ariaHidden: 'true' },
        form,
      );
      trap.style.cssText = 'position:absolute;left:-9999px';
      el('button', { type: 'submit', textContent: T[4] }, form);
      el('button', { type: 'button', textContent: T[5], onclick: close }, form);
      const note = el('p', { role: 'status' }, form);
      form.onkeydown = (e) => e.key === 'Escape' && close();
      form.onsubmit = (e) => {
        e.preventDefault();
        send('/feedback', {
          message: message.value,
          rating: Number(rating.value) || undefined,
          contact: contact.value || undefined,
          website: trap.value || undefined,
        })
          .then((r) => {
            if (!r.ok) throw r;
            note.textContent = T[6];
            setTimeout(close, 1500);
          })
          .catch(() => {
            note.textContent = T[7];
          });
      };
      message.focus();
    };
  };
  fetch(`${base}/api/collect/sites/${site}`)
    .then((r) => r.json())
    .then((s) => s.feedback && widget())
    .catch(() => {});
})(window, document);
