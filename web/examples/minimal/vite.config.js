// The relay must be on the page's own origin (its cookie is SameSite=Strict):
// Vite forwards /relay/ to serve.go, in `vite dev` and in `vite preview`.
export default {
  server: { proxy: { '/relay': 'http://127.0.0.1:8080' } },
  preview: { proxy: { '/relay': 'http://127.0.0.1:8080' } },
};
