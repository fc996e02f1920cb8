import { DEFAULT_MODEL, MODEL_NAMES, type ModelName } from '../engine/model/span-link.js';
import { UsageError } from './command.js';

// `--model original|causal`, shared by generate, bundle import and capture.

export const MODEL_OPTION = { model: { type: 'string' as const } };
export const MODEL_HELP = `      --model NAME       original (the MiSeRTrace model) or causal (connections and turn-taking, ADR 0040); default ${DEFAULT_MODEL}`;

export function modelOf(v: Record<string, unknown>): ModelName {
  const m = v['model'];
  if (m === undefined) return DEFAULT_MODEL;
  if (typeof m === 'string' && (MODEL_NAMES as readonly string[]).includes(m)) return m as ModelName;
  throw new UsageError(`unknown model "${String(m).slice(0, 40)}"`, `use --model ${MODEL_NAMES.join(' or --model ')}`);
}
