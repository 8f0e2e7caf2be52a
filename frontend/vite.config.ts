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
  preview: { proxy },
  build: {
    outDir: 'dist',
    sourcemap: false,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate chunks cache better.
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom'],
          apollo: ['@apollo/client', 'graphql', 'graphql-ws'],
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
