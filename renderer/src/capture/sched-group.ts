// The ready-made probes of the capture screen's "Where the time went" box: probes/catalog.json's
// group "sched" (what `misertrace capture --sched` adds, docs/adr/0090). The renderer cannot read
// the catalog; test/capture/sched-group.test.ts keeps the two lists the same.
export const SCHED_GROUP: readonly string[] = ['sched_switch', 'sched_wakeup', 'page_fault_user'];

/** The form's optional probes with the group on or off. */
export function withSchedGroup(probes: readonly string[], on: boolean): string[] {
  return on ? [...probes, ...SCHED_GROUP.filter((id) => !probes.includes(id))] : probes.filter((id) => !SCHED_GROUP.includes(id));
}
