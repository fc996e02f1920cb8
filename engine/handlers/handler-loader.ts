import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../model/meta.js';
import { countByProbeHandlers, countHandlers } from './default-handlers.js';
import type { HandlerModule } from './handler-api.js';

// Loads a user's handler module (JS or TS). User code runs where this is called: the engine
// worker in the app, the CLI process on the command line; never the Electron main or renderer.

export const BUILTIN_HANDLERS: Record<string, HandlerModule> = {
  count: countHandlers,
  'count-by-probe': countByProbeHandlers,
};

export async function loadHandlerModule(spec: string): Promise<HandlerModule> {
  const builtin = BUILTIN_HANDLERS[spec];
  if (builtin) return builtin;
  const path = resolve(spec);
  if (!existsSync(path)) {
    throw new InputError(`handler module ${spec} not found`, `pass a .js/.mjs/.ts file, or one of: ${Object.keys(BUILTIN_HANDLERS).join(', ')}`);
  }
  let mod: Record<string, unknown>;
  try {
    if (/\.(c|m)?ts$/.test(path)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new InputError(`handler module ${spec} failed to load: ${e instanceof Error ? e.message : String(e)}`, 'fix the module; it must export createSpanHandler and createTraceHandler');
  }
  // A default export, or named exports; a TS file outside an ESM package arrives through
  // CommonJS interop with its default export one level deeper.
  let m = mod as Partial<HandlerModule> & Record<string, unknown>;
  for (let i = 0; i < 2 && typeof m.createSpanHandler !== 'function' && typeof m['default'] === 'object' && m['default'] !== null; i++) {
    m = m['default'] as Partial<HandlerModule> & Record<string, unknown>;
  }
  if (typeof m.createSpanHandler !== 'function' || typeof m.createTraceHandler !== 'function') {
    throw new InputError(
      `handler module ${spec} must export createSpanHandler(span) and createTraceHandler(trace)`,
      'see docs/handlers.md for the handler API and an example',
    );
  }
  return { name: typeof m.name === 'string' ? m.name : spec, createSpanHandler: m.createSpanHandler, createTraceHandler: m.createTraceHandler };
}
