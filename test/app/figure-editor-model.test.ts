import { describe, expect, it } from 'vitest';
import { commonPrefix, figureNames, nameProblem, traceContainers } from '../../renderer/src/export/figure-names.js';
import { fontText, widthText } from '../../renderer/src/export/figure-presets.js';
import { flagsForChoices, type FigureChoices } from '../../engine/figure/figure-choices.js';
import { TOTAL_COUNT_PROBE } from '../../engine/figure/layout-types.js';

// The figure editor's choices as names and flags (renderer/src/export, engine/figure/figure-choices.ts).

describe('figure editor model', () => {
  it('strips the prefix every container shares, back to a separator, never to an empty name', () => {
    expect(commonPrefix(['oracle-frontend', 'oracle-catalog', 'oracle-inventory'])).toBe('oracle-');
    // "oracle-ca" is shared by both, but cutting inside a word would leave "talog" and "rt".
    expect(commonPrefix(['oracle-catalog', 'oracle-cart'])).toBe('oracle-');
    expect(commonPrefix(['k8s_frontend_shop-7d9_default', 'k8s_catalog_shop-7d9_default'])).toBe('k8s_');
    expect(commonPrefix(['myshop-compose-project_web_1', 'myshop-compose-project_db_1'])).toBe('myshop-compose-project_');
    expect(commonPrefix(['web', 'db'])).toBe('');
    expect(commonPrefix(['only-one'])).toBe('');
    expect(commonPrefix(['app-', 'app-x'])).toBe(''); // "app-" would be left with nothing
  });

  it('takes a typed name over the stripped one, and refuses what --rename cannot carry', () => {
    const names = figureNames(['oracle-frontend', 'oracle-catalog'], { 'oracle-catalog': '  Catalog ' }, true);
    expect(names).toEqual([
      { container: 'oracle-frontend', name: 'frontend', edited: false },
      { container: 'oracle-catalog', name: 'Catalog', edited: true },
    ]);
    expect(figureNames(['oracle-frontend', 'oracle-catalog'], {}, false).map((n) => n.name)).toEqual(['oracle-frontend', 'oracle-catalog']);
    expect(nameProblem('a,b')).toMatch(/cannot contain/);
    expect(nameProblem('a=b')).toMatch(/cannot contain/);
    expect(nameProblem('KV store')).toBeNull();
    expect(traceContainers([{ container: 'b' }, { container: 'a' }, { container: 'b' }])).toEqual(['b', 'a']);
  });

  it('maps presets and typed sizes to --width and --font-size text', () => {
    expect(widthText('one-column', '')).toBe('241pt');
    expect(widthText('two-columns', '')).toBe('506pt');
    expect(widthText('screen', '')).toBeNull();
    expect(widthText('custom', ' 7 in ')).toBe('7in');
    expect(widthText('custom', 'wide')).toBeUndefined();
    expect(fontText('8')).toBe('8pt');
    expect(fontText('')).toBeNull();
    expect(fontText('big')).toBeUndefined();
  });

  it('writes the choices as the flags the CLI takes', () => {
    const c: FigureChoices = {
      counts: [TOTAL_COUNT_PROBE, 'tracepoint:sched:sched_migrate_task'],
      collapsed: [6, 2, 6],
      window: { start: 1500, end: 9000 },
      palette: 'greyscale',
      title: 'T',
      caption: null,
      width: '241pt',
      fontSize: '8pt',
      renames: [{ container: 'oracle-catalog', name: 'Catalog' }, { container: 'x', name: 'x' }],
      labelFields: ['tid', 'container'],
    };
    expect(flagsForChoices(c, 1000)).toEqual({
      width: '241pt',
      'font-size': '8pt',
      title: 'T',
      greyscale: true,
      counts: 'total,tracepoint:sched:sched_migrate_task',
      label: 'tid,container',
      rename: 'oracle-catalog=Catalog',
      window: '500ns..8000ns',
      collapse: '2,6',
    });
    expect(flagsForChoices({ ...c, counts: [], labelFields: [], renames: [], window: null, collapsed: [] }, 0)).toMatchObject({ counts: 'none', label: 'none' });
  });
});
