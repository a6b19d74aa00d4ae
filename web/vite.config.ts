// Vite builds the web interface into dist/ (scripts/build.sh installs it as build/web).
// `npm run dev` serves it with hot reload and forwards what the hub answers (its API and
// file downloads) to a running hub: VITRINE_URL, default http://127.0.0.1:8080.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

const hub = process.env.VITRINE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [svelte()],
  build: {
    target: "es2022",
    // One hashed file per bundle under /assets; no inline scripts (the hub's pages forbid them).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      "^/api/": { target: hub, changeOrigin: true },
      "^/(datasets/)?[^/]+/[^/]+/(resolve|raw)/": { target: hub, changeOrigin: true },
    },
  },
});
