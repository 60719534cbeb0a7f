/**
 * Builds the renderer (renderer/ → dist/renderer) for both hosts: Electron loads it from disk,
 * the test host serves it on 127.0.0.1. The output must run under the strict CSP in
 * renderer/index.html, so nothing is inlined: no module-preload polyfill script, no data: assets,
 * component styles extracted to a CSS file.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2023',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
  },
});
