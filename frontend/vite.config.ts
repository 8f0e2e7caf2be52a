/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// The API listens on :4000 in development; everything under /api/ (GraphQL over HTTP and
// its WebSocket, signed image files) goes there so the browser sees one origin.
const apiTarget = process.env.RENDERMART_API_URL ?? 'http://localhost:4000';
const proxy = {
  '/api': { target: apiTarget, changeOrigin: true, ws: true },
};

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { proxy },
  // GraphiQL's editor runs Monaco's language services in workers that split into chunks.
  worker: { format: 'es' },
  preview: { proxy },
  build: {
    outDir: 'dist',
    sourcemap: false,
    rollupOptions: {
      output: {
        // React changes less often than the app: a separate chunk caches better. Apollo and
        // graphql have no manual chunk: one would also take in the parts of graphql that only
        // the lazily loaded GraphiQL page uses (Rollup pulls a manual chunk's dependencies
        // in whole), growing the first download by about 120 kB.
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom'],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    reporters: ['default', './src/test/summaryReporter.ts'],
  },
});
