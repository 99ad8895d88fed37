import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `vite build web` → web/dist, served by the server (src/server/http/routes/web-routes.ts).
 * Assets get content hashes (served with a year-long cache); index.html is never cached.
 * `vite web` serves the UI with hot reload and forwards /api to a server on :8080.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
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
