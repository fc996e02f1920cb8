import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// The loopback TCP ping-pong the event-cost benches time (causal-event-cost.ts,
// event-filter-cost.ts): one Python thread, two sockets, 1-byte sends with TCP_NODELAY, so each
// round trip is exactly 2 sends and 2 receives; it prints the start and end (CLOCK_MONOTONIC ns)
// of every block of BLOCK round trips, which the benches class by the switch state they ran in.

export const BLOCK = 500;
const SCRIPT = `
import socket, sys, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
a = socket.create_connection(l.getsockname()); b, _ = l.accept()
for s in (a, b): s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
print('ready', flush=True)
while True:
    t0 = time.monotonic_ns()
    for _ in range(${BLOCK}):
        a.send(b'x'); b.recv(1); b.send(b'y'); a.recv(1)
    print(t0, time.monotonic_ns(), flush=True)
`;

export interface PingPong {
  pid: number;
  /** The blocks timed so far (grows while it runs). */
  blocks: { start: number; end: number }[];
  stop(): void;
}

/** The ping-pong running, once its sockets are connected. */
export async function startPingPong(): Promise<PingPong> {
  const child = spawn('python3', ['-c', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const blocks: { start: number; end: number }[] = [];
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => reject(new Error(`the ping-pong (python3) exited (${c}) before it was ready`)));
    lines.on('line', (l) => {
      if (l === 'ready') return resolve();
      const [s, e] = l.split(' ').map(Number);
      blocks.push({ start: s!, end: e! });
    });
  });
  return { pid: child.pid!, blocks, stop: () => child.kill('SIGKILL') };
}
