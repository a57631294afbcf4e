// The dashboard's build: `vite build web` writes web/dist, which the API server serves at `/`.
// `npx vite web` serves it with hot reload and forwards the API (HTTP and WebSocket) to a running `npm start`.
import { defineConfig } from 'vite';

const api = process.env.API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/health': api,
      '/metrics': api,
    },
  },
});
