/**
 * `.dockerignore` as the Docker CLI applies it: one pattern a line, `#` comments, `!` re-includes,
 * the last matching pattern wins, `*`/`?` stay inside a path segment, `**` spans segments, and a
 * pattern that matches a directory excludes everything under it.
 */

interface Rule {
  negate: boolean;
  regex: RegExp;
}

export class DockerIgnore {
  private readonly rules: Rule[];

  constructor(text: string) {
    this.rules = [];
    for (const raw of text.split('\n')) {
      let line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1).trim();
      line = line.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
      if (!line || line === '.') continue;
      this.rules.push({ negate, regex: new RegExp(`^${toRegex(line)}$`) });
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** `path` is relative to the context, `/`-separated, without a leading `./`. */
  excludes(path: string): boolean {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (candidates.some((c) => rule.regex.test(c))) excluded = !rule.negate;
    }
    return excluded;
  }
}

function toRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` anything.
        if (pattern[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (ch === '\\' && i + 1 < pattern.length) {
      out += escapeChar(pattern[i + 1] as string);
      i += 1;
    } else out += escapeChar(ch);
  }
  return out;
}

function escapeChar(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
