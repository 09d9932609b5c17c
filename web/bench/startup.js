// Cold start in the browser: from navigation start (performance.now()'s
// origin) to the API being ready. ?module=floor loads the floor module
// through the same steps as gotoauth.js, without the API.
const which = new URLSearchParams(location.search).get('module');
if (which === 'floor') {
  await import('../wasm_exec.js');
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch(new URL('../floor.wasm', import.meta.url)), go.importObject);
  await new Promise((ready) => {
    globalThis.__gotoauthBoot = { ready };
    go.run(instance);
  });
} else {
  const { load } = await import('../gotoauth.js');
  await load();
}
window.__startup = performance.now();
document.getElementById('out').textContent = `${which || 'gotoauth'} ready after ${window.__startup.toFixed(1)} ms`;
