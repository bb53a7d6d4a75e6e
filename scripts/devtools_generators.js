// Runs the engines' OWN "Copy as ..." generators, loaded at run time from the installed browsers
// (nothing of their code is kept in this repository), over requests captured by
// scripts/capture_devtools.py.
//
// Chromium: DevTools' front end ships inside resources.pak (format 5, brotli resources). The
// bundle of panels/network holds NetworkLogView (front_end/panels/network/NetworkLogView.ts:
// generateCurlCommand, generatePowerShellCommand, generateFetchCall) and FetchHeaderCommenting.ts
// (which headers "Copy as fetch" leaves out). The methods are cut out of the bundle at their
// boundaries and compiled inside a class that gives them what they reference; the request is a
// stand-in for SDK.NetworkRequest built from the CDP events DevTools itself reads.
// Firefox: devtools/client/shared/curl.js (Curl.generateCommand) and
// devtools/client/netmonitor/src/widgets/RequestListContextMenu.js (generateFetchString), read
// from omni.ja by the Python side and handed over as text.
//
// stdin: {"pak": path, "firefox": {"curl": text, "menu": text}, "requests": [...]}
// stdout: [{"curl-bash": ..., ...}, ...] in the order of the requests.
"use strict";

const fs = require("fs");
const zlib = require("zlib");

function pakResources(path, needle) {
  // ui/base/resource/data_pack.cc: version 5 header, then (id u16, offset u32) entries.
  const pak = fs.readFileSync(path);
  if (pak.readUInt32LE(0) !== 5) {
    throw new Error(`${path}: not a version 5 data pack`);
  }
  const count = pak.readUInt16LE(8);
  const found = [];
  for (let i = 0; i < count; i++) {
    const start = pak.readUInt32LE(14 + 6 * i);
    const end = pak.readUInt32LE(14 + 6 * (i + 1));
    let blob = pak.subarray(start, end);
    if (blob[0] === 0x1e && blob[1] === 0x9b) {
      // brotli, with chromium's 8-byte header (magic and decompressed size)
      try {
        blob = zlib.brotliDecompressSync(blob.subarray(8));
      } catch {
        continue;
      }
    }
    const text = blob.toString("utf8");
    if (text.includes(needle)) {
      found.push(text);
    }
  }
  return found;
}

function between(text, start, end) {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0 || text.indexOf(start, from + 1) >= 0) {
    throw new Error(`DevTools bundle: cannot find exactly one ${JSON.stringify(start)}`);
  }
  return text.slice(from, to);
}

function chromiumGenerators(pakPath) {
  const bundles = pakResources(pakPath, "generatePowerShellCommand(");
  if (bundles.length !== 1) {
    throw new Error(`${pakPath}: ${bundles.length} DevTools network bundles, expected 1`);
  }
  const bundle = bundles[0];
  // FetchHeaderCommenting.ts: the rules table and the forbidden-header test ("on").
  const rules = between(bundle, "function Pc(", "var Lc=");
  const check = between(bundle, "Dc=/^(?:CONNECT", ";function Pc(");
  // NetworkLogView.ts: the URL scheme check and the three generators, as class members.
  const scheme = between(bundle, "static#i(e){", "async generateFetchCall(");
  const fetchCall = between(bundle, "async generateFetchCall(e,t,r){", "async generateAllFetchCall(");
  const curl = between(bundle, "static async generateCurlCommand(e,t){", "async generateAllCurlCommand(");
  const powershell = between(
    bundle,
    "async generatePowerShellCommand(e){",
    "async generateAllPowerShellCommand(",
  );
  const schemes = bundle.match(/static#e=new Set\(\[("[a-z]+:",?)+\]\);/g);
  if (!schemes || schemes.length !== 1) {
    throw new Error("DevTools bundle: cannot find the URL schemes NetworkLogView accepts");
  }
  const source = `
    const Re = new Proxy({}, {get: (_, key) => key});
    const Ce = key => () => key;
    const b = (key, values) => { throw new Error("DevTools refused the request: " + key); };
    const v = Re;
    const Dt = {SecurityState: {Insecure: "insecure"}};
    let ${check};
    ${rules}
    const i = class {
      ${schemes[0]}
      ${scheme}
      ${fetchCall}
      ${curl}
      ${powershell}
    };
    return i;`;
  const View = new Function(source)();
  const view = new View();
  return {
    "curl-bash": request => View.generateCurlCommand(request, "unix"),
    "curl-cmd": request => View.generateCurlCommand(request, "win"),
    powershell: request => view.generatePowerShellCommand(request),
    fetch: request => view.generateFetchCall(request, 0),
    "node-fetch": request => view.generateFetchCall(request, 1),
  };
}

function chromiumRequest(captured) {
  // The parts of SDK.NetworkRequest the generators call (core/sdk/NetworkRequest.ts):
  // requestHeaders() from Network.requestWillBeSentExtraInfo, includedRequestCookies() from its
  // associatedCookies without blockedReasons, requestFormData() from Network.getRequestPostData.
  return {
    requestMethod: captured.method,
    url: () => captured.url,
    requestHeaders: () => captured.headers,
    includedRequestCookies: () =>
      captured.cookies.map(c => ({
        cookie: {name: () => c.name, value: () => c.value, domain: () => c.domain},
      })),
    requestFormData: async () => captured.postData,
    securityState: () => captured.securityState,
  };
}

function firefoxGenerators(sources) {
  const exports = {};
  new Function("exports", "Services", sources.curl)(exports, undefined);
  const fetchString = between(sources.menu, "async generateFetchString(", "/**");
  const Menu = new Function(`return class { ${fetchString} };`)();
  const menu = new Menu();
  const data = captured => ({
    url: captured.url,
    method: captured.method,
    headers: captured.headers,
    responseHeaders: captured.responseHeaders,
    httpVersion: "HTTP/1.1",
    postDataText: captured.postData ?? "",
  });
  return {
    "curl-bash": captured => exports.Curl.generateCommand(data(captured), "Linux"),
    "curl-cmd": captured => exports.Curl.generateCommand(data(captured), "WINNT"),
    fetch: captured =>
      menu.generateFetchString(
        null,
        captured.url,
        captured.method,
        {headers: captured.headers},
        {postData: {text: captured.postData ?? undefined}},
      ),
  };
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const generators = {
    chrome: chromiumGenerators(input.pak),
    firefox: firefoxGenerators(input.firefox),
  };
  const out = [];
  for (const captured of input.requests) {
    const texts = {};
    for (const [variant, generate] of Object.entries(generators[captured.engine])) {
      const request = captured.engine === "chrome" ? chromiumRequest(captured) : captured;
      texts[variant] = await generate(request);
    }
    out.push(texts);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch(error => {
  process.stderr.write(`devtools_generators: ${error.message}\n`);
  process.exit(1);
});
