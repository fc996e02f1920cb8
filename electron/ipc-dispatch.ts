import { toAppError } from './app-services/app-error.js';
import type { InvokeHandlers } from './app-services/invoke-handlers.js';
import type { InvokeVerb, RequestOf, ResponseOf, Result } from './ipc-contract.js';
import { isInvokeVerb, validateRequest } from './ipc-validate.js';

// One entry for every request from a renderer: check the verb, check the payload, run the
// handler, and turn whatever it throws into a Result. Expected failures go back as AppErrors;
// bugs are logged here with their stack and still answered, so the UI stays usable.

export type DispatchLog = (message: string, error: unknown) => void;

export async function dispatchInvoke(handlers: InvokeHandlers, verb: unknown, payload: unknown, log: DispatchLog): Promise<Result<unknown>> {
  if (!isInvokeVerb(verb)) {
    return { ok: false, error: { kind: 'invalid-request', message: `refused an unknown request "${String(verb).slice(0, 60)}"` } };
  }
  return run(handlers, verb, payload, log);
}

async function run<V extends InvokeVerb>(handlers: InvokeHandlers, verb: V, payload: unknown, log: DispatchLog): Promise<Result<ResponseOf<V>>> {
  const checked = validateRequest(verb, payload);
  if (!checked.ok) {
    log(`refused ${verb}`, checked.error.message);
    return checked;
  }
  try {
    const handler = handlers[verb] as (req: RequestOf<V>) => Promise<ResponseOf<V>>;
    return { ok: true, value: await handler(checked.value) };
  } catch (e) {
    const error = toAppError(e);
    if (error.kind === 'internal') log(`${verb} failed`, e);
    return { ok: false, error };
  }
}
