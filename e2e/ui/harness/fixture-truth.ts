import { readFileSync } from 'node:fs';
import { fixture, type FixtureName } from '../../../test/fixtures.js';

// What the original tool said about each fixture trace (dag.json): the truth the UI is checked
// against. Start and end times stay exact as bigints.

export interface KnownTrace {
  id: number;
  entry: string;
  startNs: bigint;
  durationNs: bigint;
  spanCount: number;
  containers: string[];
  /** Pre-order: container and tid of every node. */
  nodes: { container: string; tid: number; kind: 'network' | 'fork'; depth: number }[];
}

interface DagNode {
  ThreadState: { State: string; PID: number; Container: string; StartTime: number; EndTime: number };
  Children: DagNode[];
}

export function knownTraces(name: FixtureName): KnownTrace[] {
  // Integers above 2^53 would lose digits through JSON.parse: quote them first.
  const text = readFileSync(fixture(name, 'dag.json'), 'utf8').replace(/("(?:StartTime|EndTime)":\s*)(\d+)/g, '$1"$2"');
  const obj = JSON.parse(text) as Record<string, DagNode & { TraceID: number }>;
  return Object.values(obj)
    .map((root) => {
      const nodes: KnownTrace['nodes'] = [];
      const containers: string[] = [];
      const walk = (n: DagNode, depth: number) => {
        nodes.push({ container: n.ThreadState.Container, tid: n.ThreadState.PID, kind: n.ThreadState.State === 'ForkThreadState' ? 'fork' : 'network', depth });
        if (!containers.includes(n.ThreadState.Container)) containers.push(n.ThreadState.Container);
        for (const c of n.Children) walk(c, depth + 1);
      };
      walk(root, 0);
      const start = BigInt(root.ThreadState.StartTime as unknown as string);
      const end = BigInt(root.ThreadState.EndTime as unknown as string);
      return { id: root.TraceID, entry: root.ThreadState.Container, startNs: start, durationNs: end - start, spanCount: nodes.length, containers, nodes };
    })
    .sort((a, b) => a.id - b.id);
}
