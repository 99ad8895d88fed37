import type { OpenApiDocument, OpenApiOperation } from './build-openapi.js';

/**
 * /api/docs: the operations of the OpenAPI document, grouped by tag, as plain server-rendered
 * HTML. No scripts, no inline styles and no external assets, so it works under
 * `Content-Security-Policy: default-src 'self'`; its stylesheet is served beside it.
 */
export function renderDocs(doc: OpenApiDocument, stylesheetUrl: string): string {
  const byTag = new Map<string, { method: string; path: string; op: OpenApiOperation }[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const tag of op.tags.length ? op.tags : ['other']) {
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag)!.push({ method: method.toUpperCase(), path, op });
      }
    }
  }
  const tags = [...byTag.keys()].sort();
  const sections = tags.map((tag) => {
    const items = byTag
      .get(tag)!
      .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    return `<section id="${anchor(tag)}"><h2>${esc(tag)}</h2>${items.map(renderOperation).join('')}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(stylesheetUrl)}"></head>
<body><header><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a></p>
<nav>${tags.map((t) => `<a href="#${anchor(t)}">${esc(t)}</a>`).join(' · ')}</nav></header>
<main>${sections.join('\n')}</main></body></html>
`;
}

function renderOperation({
  method,
  path,
  op,
}: {
  method: string;
  path: string;
  op: OpenApiOperation;
}): string {
  const body = op.requestBody?.content['application/json'].schema;
  const ok = Object.entries(op.responses).find(([code]) => code !== 'default');
  const response = ok?.[1].content?.['application/json'].schema;
  const params = (op.parameters ?? [])
    .map((p) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`)
    .join('');
  return `<details class="op"><summary><span class="method m-${esc(method.toLowerCase())}">${esc(method)}</span>
<code>${esc(path)}</code> — ${esc(op.summary)}${op.security.length === 0 ? ' <em>(no sign-in)</em>' : ''}</summary>
${params ? `<h3>Parameters</h3><ul>${params}</ul>` : ''}
${body ? `<h3>Request body</h3><pre>${esc(JSON.stringify(body, null, 2))}</pre>` : ''}
<h3>Response ${esc(ok?.[0] ?? '')}</h3>${response ? `<pre>${esc(JSON.stringify(response, null, 2))}</pre>` : '<p>No body.</p>'}
</details>`;
}

function anchor(tag: string): string {
  return `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Everything in the page comes from route declarations, but escape it all the same. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const DOCS_CSS = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
.op{border:1px solid #d0d7de;border-radius:6px;margin:.5rem 0;padding:.4rem .7rem}
.op summary{cursor:pointer}
.method{display:inline-block;min-width:4.5rem;font-weight:600;font-family:monospace}
.m-get{color:#0969da}.m-post{color:#1a7f37}.m-put,.m-patch{color:#9a6700}.m-delete{color:#cf222e}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:.85rem}
h3{font-size:.95rem;margin:.8rem 0 .3rem}
`;
