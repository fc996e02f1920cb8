import type Docker from 'dockerode';
import { createDocker, type DockerEndpoint } from './docker-connection.js';

// Containers that join the traced network during a capture: a container restarted (its threads
// are new, none of them in the trace filter) or added. Docker emits a network "connect" event
// each time a container starts on a network, so one filter on the network's connect events sees
// both. The stream starts at the discovery time (`since`), so a restart between discovery and
// attach is seen too.

export interface NetworkJoin {
  containerId: string;
  /** The container's name (without the leading slash); its short id when it cannot be inspected. */
  name: string;
  /** Whether discovery found it (a restart) or not (a container added). */
  known: boolean;
  at: Date;
}

export interface NetworkWatch {
  /** Resolves once Docker answered the events request (rejects when it did not). */
  readonly ready: Promise<void>;
  dispose(): void;
}

interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
  time?: number;
}

/** Follows the connect events of `networkId` since `since`; `known` maps discovered container ids to names. */
export function watchNetworkJoins(
  ep: DockerEndpoint,
  networkId: string,
  since: Date,
  known: ReadonlyMap<string, string>,
  onJoin: (j: NetworkJoin) => void,
): NetworkWatch {
  // No request timeout: the stream is quiet for as long as nothing happens (dockerode's 15 s
  // timeout would end it). Only this stream's socket is without one.
  const docker: Docker = createDocker(ep, 0);
  const abort = new AbortController();
  const sinceNs = BigInt(since.getTime()) * 1_000_000n;
  let buffered = '';
  const handle = (ev: DockerEvent) => {
    if (ev.Type !== 'network' || ev.Action !== 'connect' || ev.Actor?.ID !== networkId) return;
    const id = ev.Actor.Attributes?.['container'];
    if (!id) return;
    const ns = ev.timeNano !== undefined ? BigInt(ev.timeNano) : BigInt(ev.time ?? 0) * 1_000_000_000n;
    // `since` is whole seconds: events of the second before discovery come too.
    if (ns < sinceNs) return;
    const at = new Date(Number(ns / 1_000_000n));
    const name = known.get(id);
    if (name !== undefined) {
      onJoin({ containerId: id, name, known: true, at });
      return;
    }
    void createDocker(ep)
      .getContainer(id)
      .inspect()
      .then(
        (c) => c.Name.replace(/^\//, ''),
        () => id.slice(0, 12),
      )
      .then((n) => onJoin({ containerId: id, name: n, known: false, at }));
  };
  const ready = docker
    .getEvents({
      since: Math.floor(since.getTime() / 1000),
      filters: { type: ['network'], event: ['connect'], network: [networkId] },
      abortSignal: abort.signal,
    } as Docker.GetEventsOptions & { abortSignal: AbortSignal })
    .then((stream) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          try {
            handle(JSON.parse(line) as DockerEvent);
          } catch {
            // Not an event: nothing in it names a container.
          }
        }
      });
      // Ended by dispose() (abort) or by the engine; either way nothing more to follow.
      stream.on('error', () => undefined);
    });
  ready.catch(() => undefined);
  return { ready, dispose: () => abort.abort() };
}
