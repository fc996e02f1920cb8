import { useRequestTypes } from '../stores/request-types-store.js';

// The table toolbar's switch between the flat trace table and the table grouped by request type.

export function GroupByTypeButton() {
  const grouped = useRequestTypes((s) => s.grouped);
  const setGrouped = useRequestTypes((s) => s.setGrouped);
  return (
    <button type="button" className={grouped ? 'primary' : ''} aria-pressed={grouped} onClick={() => setGrouped(!grouped)} title="Group the listed traces by request type: entry container, then tree shape">
      Group by request type
    </button>
  );
}
