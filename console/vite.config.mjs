// The console is served by the gateway at /console/ (src/console-route.ts); `npm run build` writes dist/.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  // React's automatic JSX runtime through Vite's own esbuild transform: no plugin needed.
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
