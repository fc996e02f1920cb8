import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// The server's host key against OpenSSH's known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE
// FORMAT"): plain and hashed (|1|salt|hmac) host patterns, `[host]:port` for other ports than 22,
// negation (!pattern), wildcards, and the @revoked marker. @cert-authority lines are not used
// (certificates are not checked: such a host is treated as unknown and the user is asked).

export type KeyVerdict =
  | { kind: 'known'; file: string; line: number }
  | { kind: 'unknown' }
  /** The host is listed with other keys of the same type: a changed key (or an attack). */
  | { kind: 'changed'; file: string; line: number; knownTypes: string[] }
  | { kind: 'revoked'; file: string; line: number };

interface Entry {
  file: string;
  line: number;
  marker: '' | '@revoked' | '@cert-authority';
  patterns: string;
  type: string;
  blob: Buffer;
}

/** The algorithm name inside a public key blob (its first SSH string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH's fingerprint: SHA256:<base64 without padding>. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts uses for a host: `name` on port 22, `[name]:port` elsewhere. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Whether a comma-separated pattern list (or a hashed name) names `name`; a matching !pattern excludes. */
export function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) hit = true;
  }
  return hit;
}

export function parseKnownHosts(text: string, file: string): Entry[] {
  const out: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    const marker = f[0] === '@revoked' || f[0] === '@cert-authority' ? (f.shift() as Entry['marker']) : '';
    if (f.length < 3) return;
    const blob = Buffer.from(f[2]!, 'base64');
    out.push({ file, line: i + 1, marker, patterns: f[0]!, type: f[1]!, blob });
  });
  return out;
}

async function readEntries(files: readonly string[]): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text !== null) out.push(...parseKnownHosts(text, file));
  }
  return out;
}

/** What known_hosts says about `blob` for `names` (the host name, and its alias when it differs). */
export async function checkHostKey(files: readonly string[], names: readonly string[], blob: Buffer): Promise<KeyVerdict> {
  const entries = (await readEntries(files)).filter((e) => names.some((n) => hostMatches(e.patterns, n)) || (e.marker === '@revoked' && e.patterns === '*'));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.blob.equals(blob));
  if (revoked) return { kind: 'revoked', file: revoked.file, line: revoked.line };
  const plain = entries.filter((e) => e.marker === '');
  const same = plain.find((e) => e.blob.equals(blob));
  if (same) return { kind: 'known', file: same.file, line: same.line };
  const type = keyType(blob);
  const sameType = plain.find((e) => e.type === type);
  if (sameType) return { kind: 'changed', file: sameType.file, line: sameType.line, knownTypes: [...new Set(plain.map((e) => e.type))] };
  return { kind: 'unknown' };
}

/** Key types known_hosts lists for the host, to offer those first (as OpenSSH orders HostKeyAlgorithms). */
export async function knownKeyTypes(files: readonly string[], names: readonly string[]): Promise<string[]> {
  return [...new Set((await readEntries(files)).filter((e) => e.marker === '' && names.some((n) => hostMatches(e.patterns, n))).map((e) => e.type))];
}

/** Appends the accepted key, as `ssh` does after "yes" (plain host name, not hashed). */
export async function addHostKey(file: string, name: string, blob: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readFile(file, 'utf8').catch(() => '');
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${sep}${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
