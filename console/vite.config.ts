/**
 * The console's build: `vite build console` (npm run build:console) writes dist/console, which the
 * local API server serves at `/`. Relative `base` so the same build also works from any path on a
 * static host (S3 + CloudFront on AWS).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  publicDir: 'public',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill is an inline-free module, but current Chromium and Firefox need none.
    modulePreload: { polyfill: false },
    // hls.js is one lazily loaded chunk of ~500 kB: only the stream page needs it.
    chunkSizeWarningLimit: 700,
  },
});
