import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real captures with the original tool's outputs live in ../shared/fixtures (beside the repo).
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = resolve(PROJECT_ROOT, '..', 'shared', 'fixtures');
export const FIXTURE_NAMES = ['seq20', 'mixed50'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function fixture(name: FixtureName, file: string): string {
  const p = join(FIXTURES, name, file);
  if (!existsSync(p)) throw new Error(`fixture ${p} is missing: ../shared/fixtures must sit beside the repository`);
  return p;
}
