import type { Plugin } from 'vite';

// The renderer's Content-Security-Policy, as a meta tag (the packaged app loads file://, where no
// response headers exist). Builds get the strict policy: only our own scripts and styles, no
// eval, no inline script, no network. The dev server needs React Refresh's inline preamble and
// its websocket, so `serve` relaxes exactly those two.

export const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

const DEV_CSP = STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");

export function cspPlugin(): Plugin {
  let policy = STRICT_CSP;
  return {
    name: 'misertrace:csp',
    configResolved(c) {
      policy = c.command === 'serve' ? DEV_CSP : STRICT_CSP;
    },
    transformIndexHtml() {
      return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }];
    },
  };
}
