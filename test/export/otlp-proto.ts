import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

// Checks OTLP/JSON against the official opentelemetry-proto definitions (the .proto files that
// @opentelemetry/otlp-grpc-exporter-base ships), field by field, with the rules of the protobuf
// JSON mapping and OTLP's exceptions to it (opentelemetry-proto, docs/specification.md, "JSON
// Protobuf Encoding"): lowerCamelCase keys only, trace and span ids as hex (not base64), enums
// as integers, 64-bit integers as decimal strings (or numbers). Unknown fields are errors,
// which protobufjs's own fromObject would silently drop.

const require = createRequire(import.meta.url);
const PROTOS = join(dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build', 'protos');

export function loadOtlpRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTOS, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  root.resolveAll();
  return root;
}

const HEX_BYTES: Record<string, number> = { traceId: 16, spanId: 8, parentSpanId: 8 };
const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

/** Every way `value` breaks the JSON encoding of message `type`, with a JSON path. */
export function otlpJsonErrors(type: protobuf.Type, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object for ${type.name}`];
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) {
      errors.push(`${path}.${key}: no field "${key}" in ${type.fullName}`);
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(v)) errors.push(`${path}.${key}: expected an array`);
      else v.forEach((x, i) => errors.push(...fieldErrors(field, key, x, `${path}.${key}[${i}]`)));
    } else errors.push(...fieldErrors(field, key, v, `${path}.${key}`));
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((name) => obj[name] !== undefined);
    if (set.length > 1) errors.push(`${path}: ${set.join(' and ')} are one of ${oneof.name}; only one may be set`);
  }
  return errors;
}

function fieldErrors(field: protobuf.Field, key: string, v: unknown, path: string): string[] {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return otlpJsonErrors(t, v, path);
  if (t instanceof protobuf.Enum) {
    return Number.isInteger(v) && Object.values(t.values).includes(v as number) ? [] : [`${path}: expected an integer value of enum ${t.name}, got ${JSON.stringify(v)}`];
  }
  const type = field.type;
  if (type === 'bytes') {
    const n = HEX_BYTES[key];
    if (n === undefined) return typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? [] : [`${path}: expected base64`];
    return typeof v === 'string' && new RegExp(`^[0-9a-f]{${2 * n}}$`).test(v) ? [] : [`${path}: expected ${2 * n} lowercase hex digits, got ${JSON.stringify(v)}`];
  }
  if (type === 'string') return typeof v === 'string' ? [] : [`${path}: expected a string`];
  if (type === 'bool') return typeof v === 'boolean' ? [] : [`${path}: expected true or false`];
  if (type === 'double' || type === 'float') return typeof v === 'number' ? [] : [`${path}: expected a number`];
  if (INT32.has(type)) return Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 ? [] : [`${path}: expected a 32-bit integer`];
  if (UINT32.has(type)) return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32 ? [] : [`${path}: expected an unsigned 32-bit integer`];
  if (INT64.has(type)) {
    const ok = (typeof v === 'string' && /^-?\d+$/.test(v)) || Number.isSafeInteger(v);
    if (!ok) return [`${path}: expected a 64-bit integer as a decimal string`];
    const big = BigInt(v as string | number);
    const unsigned = type.startsWith('u') || type === 'fixed64';
    const [lo, hi] = unsigned ? [0n, (1n << 64n) - 1n] : [-(1n << 63n), (1n << 63n) - 1n];
    return big >= lo && big <= hi ? [] : [`${path}: ${v} is outside ${type}`];
  }
  return [`${path}: unhandled field type ${type}`];
}

/** The JSON with hex ids turned into bytes, as protobufjs's fromObject takes it. */
export function withIdBytes(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => withIdBytes(x, key));
  if (typeof v === 'string' && HEX_BYTES[key] !== undefined) return Buffer.from(v, 'hex');
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withIdBytes(x, k)]));
}
