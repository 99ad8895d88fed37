/**
 * Import boundaries, enforced as part of `npm run lint` (a rule, not a review comment).
 * Each folder of src/ may import only the folders listed for it; the server never talks to
 * Docker (only agents do, through runtime + backends), and domain stays pure.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ALLOWED: Record<string, string[]> = {
  domain: [],
  // The HTTP shapes (zod schemas) read by the server's routes, the web UI and the CLI: only
  // zod and domain, so anyone may import them without pulling in server code.
  api: ['domain'],
  pipeline: ['domain'],
  protocol: ['domain', 'pipeline', 'api'],
  backends: ['domain'],
  runtime: ['domain', 'pipeline', 'backends'],
  agent: ['domain', 'pipeline', 'protocol', 'runtime', 'backends', 'deploy', 'api'],
  server: ['domain', 'pipeline', 'protocol', 'import', 'api'],
  import: ['domain', 'pipeline'],
  images: ['domain', 'backends'],
  deploy: ['domain', 'backends'],
  cli: [
    'api',
    'domain',
    'pipeline',
    'protocol',
    'runtime',
    'backends',
    'agent',
    'server',
    'images',
    'deploy',
    'import',
  ],
};
const EXCEPTIONS = new Set<string>();

const root = resolve(import.meta.dirname, '..', 'src');
const problems: string[] = [];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

for (const file of walk(root)) {
  const area = relative(root, file).split('/')[0] as string;
  const allowed = ALLOWED[area];
  if (!allowed) {
    problems.push(
      `${relative(process.cwd(), file)}: folder src/${area} has no import rule in scripts/check-imports.ts`,
    );
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'));
    const rel = relative(root, target);
    const targetArea = rel.split('/')[0] as string;
    if (targetArea === area || allowed.includes(targetArea)) continue;
    if (EXCEPTIONS.has(`${area} -> ${rel}`)) continue;
    const line = text.slice(0, match.index).split('\n').length + (match[0].startsWith('\n') ? 1 : 0);
    problems.push(`${relative(process.cwd(), file)}:${line}: src/${area} may not import src/${rel}`);
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} import boundary violation(s)`);
  process.exit(1);
}
console.log('import boundaries: ok');
