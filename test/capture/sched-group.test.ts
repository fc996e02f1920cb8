import { describe, expect, it } from 'vitest';
import { loadCatalog, probeGroup } from '../../capture/probes/probe-catalog.js';
import { SCHED_GROUP, withSchedGroup } from '../../renderer/src/capture/sched-group.js';

// The capture screen's "Where the time went" box adds what `misertrace capture --sched` adds.
describe('the scheduler probe group', () => {
  it('the app and the CLI take the same probes, each a ready-made probe of the catalog', () => {
    const catalog = loadCatalog();
    expect([...SCHED_GROUP]).toEqual(probeGroup(catalog, 'sched'));
    for (const id of SCHED_GROUP) expect(catalog.optional.map((p) => p.id)).toContain(id);
    expect(() => probeGroup(catalog, 'nope')).toThrow(/no probe group "nope"/);
  });

  it('switching the box on adds the missing ones once; off removes only them', () => {
    expect(withSchedGroup(['tcp_probe', 'sched_switch'], true)).toEqual(['tcp_probe', 'sched_switch', 'sched_wakeup', 'page_fault_user']);
    expect(withSchedGroup(['tcp_probe', 'sched_switch', 'sched_wakeup', 'page_fault_user'], false)).toEqual(['tcp_probe']);
  });
});
