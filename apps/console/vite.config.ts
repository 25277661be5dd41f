import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into the Worker's static assets (apps/api/wrangler.jsonc `assets`), served at /console/
// from the same origin as the API: the session cookie is SameSite=Strict and needs no CORS.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "../api/public/console",
    emptyOutDir: true,
  },
});
