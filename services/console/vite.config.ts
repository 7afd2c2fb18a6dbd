import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a gateway running locally (FERRY_GATEWAY_URL, default :4000).
const gateway = process.env['FERRY_GATEWAY_URL'] ?? 'http://127.0.0.1:4000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': { target: gateway, ws: true, changeOrigin: true } } },
});
