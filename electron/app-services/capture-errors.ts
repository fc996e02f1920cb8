import { DiscoveryError } from '../../capture/discovery/discovery-errors.js';
import type { AppErrorKind } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';

// Discovery's and capture's own error codes, as the contract's error kinds.

const DISCOVERY_KINDS: Record<DiscoveryError['code'], AppErrorKind> = {
  'docker-unreachable': 'docker-unavailable',
  'docker-permission': 'docker-permission',
  'docker-api': 'docker-unavailable',
  'unknown-network': 'network-unknown',
  'no-containers': 'network-unknown',
  'container-stopped': 'input',
  'proc-unreadable': 'privileges',
};

export function discoveryFailure(e: unknown): unknown {
  if (e instanceof DiscoveryError) return new AppFailure(DISCOVERY_KINDS[e.code], e.message, e.hint);
  return e;
}
