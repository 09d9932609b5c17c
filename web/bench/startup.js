// Cold start in the browser: from navigation start (performance.now()'s
// origin) to the API being ready. ?module=floor or ?module=safejsfloor
// loads that floor module through the same steps as gotoauth.js (compile,
// start a Go runtime with its own global object), without the API.
const FLOORS = ['floor', 'safejsfloor'];
const which = new URLSearchParams(location.search).get('module') || 'gotoauth';
if (which !== 'gotoauth' && !FLOORS.includes(which)) throw new Error(`unknown module ${which}`);
if (FLOORS.includes(which)) {
  const compiling = WebAssembly.compileStreaming(fetch(new URL(`../${which}.wasm`, import.meta.url)));
  const { goRuntime } = await import('../gotoauth-runtime.js');
  const { go, global } = goRuntime();
  const instance = await WebAssembly.instantiate(await compiling, go.importObject);
  await new Promise((ready) => {
    global.__gotoauthBoot = { ready };
    go.run(instance);
  });
} else {
  const { load } = await import('../gotoauth.js');
  await load();
}
window.__startup = performance.now();
document.getElementById('out').textContent = `${which} ready after ${window.__startup.toFixed(1)} ms`;
