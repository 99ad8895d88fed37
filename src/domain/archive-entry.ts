/**
 * Whether an entry of an artifact archive is safe to store and to unpack: artifacts may hold
 * only regular files and directories, named by plain relative paths. A symlink, hard link or
 * device could make a later extraction write or read outside the workspace (or the download
 * directory), and `..` or an absolute name could do so directly. Checked on the agent when it
 * packs and unpacks, and on the server when it receives and serves, so no single side is trusted.
 */
export type ArchiveEntryType = 'file' | 'directory' | 'symlink' | 'link' | string;

/** null when the entry is fine; else why it is refused (naming the entry). */
export function archiveEntryProblem(name: string, type: ArchiveEntryType | null | undefined): string | null {
  const shown = JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
  if (type === 'symlink' || type === 'link')
    return `archive entry ${shown} is a ${type === 'link' ? 'hard link' : 'symbolic link'}; artifacts may hold only files and directories`;
  if (type !== 'file' && type !== 'directory' && type !== 'contiguous-file')
    return `archive entry ${shown} is a ${type ?? 'special file'}; artifacts may hold only files and directories`;
  if (name.includes('\0')) return `archive entry ${shown} has a NUL byte in its name`;
  const normal = name.replace(/\\/g, '/');
  if (normal.startsWith('/') || /^[A-Za-z]:\//.test(normal))
    return `archive entry ${shown} has an absolute path`;
  if (normal.split('/').includes('..')) return `archive entry ${shown} climbs out with ".."`;
  return null;
}

/** The entry's path without `./` prefixes or a trailing slash. */
export function entryPath(name: string): string {
  return name
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
}
