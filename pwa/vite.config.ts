import { defineConfig } from 'vitest/config'
import preact from '@preact/preset-vite'
import { VitePWA } from 'vite-plugin-pwa'

// Keep in sync with index.html and scripts/make-icons.mjs.
const THEME_COLOR = '#0e5aa7'

export default defineConfig({
  plugins: [
    preact({ reactAliasesEnabled: false }),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      // src/shell/sw-register.ts registers through workbox-window (virtual:pwa-register).
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icons/favicon-32.png', 'icons/apple-touch-icon-180.png'],
      manifest: {
        id: '/',
        name: '安电 andian',
        short_name: '安电',
        description: '智慧用电 · 电气火灾防控 — electrical fire prevention',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME_COLOR,
        background_color: '#f4f6f9',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Icons and the manifest are added by the plugin; matching them here would precache them twice.
        globPatterns: ['**/*.{js,css,html}'],
        navigateFallback: '/index.html',
        // API calls and the OpenAPI schema must reach the server (or fail), never get the app shell.
        navigateFallbackDenylist: [/^\/api\//, /^\/schema/],
        // Without these the first load is not controlled by the worker until a reload.
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        // One file for the server to serve with no-cache, instead of sw.js plus workbox-<hash>.js.
        inlineWorkboxRuntime: true,
        // The notificationclick handler (public/sw-notifications.js) and the Background Sync relay
        // (public/sw-sync.js), copied as they are. generateSW takes no code of its own, and this keeps the
        // generated precache and offline fallback exactly as they were.
        importScripts: ['/sw-notifications.js', '/sw-sync.js'],
      },
    }),
  ],
  build: {
    outDir: '../server/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/schema': 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
