import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { freeDisk, hostShortage, memAvailable } from '../../capture/session/host-guard.js';

describe('host guard', () => {
  it('reads this host: memory available and free disk', async () => {
    expect(await memAvailable()).toBeGreaterThan(0);
    expect(await freeDisk(tmpdir())).toBeGreaterThan(0);
    expect(await hostShortage(tmpdir(), { minAvailableMemory: 1, minFreeDisk: 1 })).toBeNull();
  });

  it('names the shortage that stops a capture', async () => {
    expect(await hostShortage(tmpdir(), { minAvailableMemory: Number.MAX_SAFE_INTEGER, minFreeDisk: 1 })).toMatch(/^the host is short of memory \(\d+ MiB available\)$/);
    expect(await hostShortage(tmpdir(), { minAvailableMemory: 1, minFreeDisk: Number.MAX_SAFE_INTEGER })).toMatch(/^the disk is almost full/);
  });
});
