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
  },
  server: {
    proxy: { '/api': { target: process.env.SLIPWAY_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
