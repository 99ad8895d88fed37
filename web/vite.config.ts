import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `.br` and `.gz` beside every script, stylesheet and page of the build, compressed once
 * at their best levels, so the server sends a third of the bytes without compressing per request
 * (its static files plugin picks the one the browser accepts). Small files are left alone.
 */
function precompress(): Plugin {
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(js|css|html|svg|json)$/.test(entry) && statSync(path).size >= 1024) {
        const body = readFileSync(path);
        writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    }
  };
  return {
    name: 'slipway-precompress',
    apply: 'build',
    writeBundle(options) {
      if (options.dir) visit(options.dir);
    },
  };
}

/**
 * `vite build web` → web/dist, served by the server (src/server/http/routes/web-routes.ts).
 * Assets get content hashes (served with a year-long cache); index.html is never cached.
 * `vite web` serves the UI with hot reload and forwards /api to a server on :8080.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The polyfill would be fine, but every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    target: 'es2022',
    rollupOptions: {
      output: {
        // React, its DOM renderer and the router (≈ 215 kB of the 300 kB the first page needs)
        // change only with a dependency upgrade: in a chunk of their own, whose hash survives
        // deploys of the app's code, a returning browser keeps them cached.
        manualChunks: (id) =>
          /[\\/]node_modules[\\/](react|react-dom|scheduler|wouter|regexparam|use-sync-external-store)[\\/]/.test(
            id,
          )
            ? 'react'
            : undefined,
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.SLIPWAY_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
