import { useExport } from '../stores/export-store.js';
import { commonPrefix, figureNames, nameProblem } from './figure-names.js';

// Container names in the figure: strip the shared prefix (on by default), or type each name.

export function FigureNamesEditor({ containers }: { containers: readonly string[] }) {
  const s = useExport();
  const prefix = commonPrefix(containers);
  const names = figureNames(containers, s.names, s.stripPrefix);
  return (
    <fieldset className="figure-names">
      <legend>Container names</legend>
      <label className="check-label">
        <input type="checkbox" checked={s.stripPrefix} disabled={prefix === ''} onChange={(e) => s.set({ stripPrefix: e.target.checked })} />
        {prefix === '' ? 'No common prefix to strip' : `Strip the common prefix “${prefix}”`}
      </label>
      <table className="figure-names-table">
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">In the figure</th>
          </tr>
        </thead>
        <tbody>
          {names.map((n) => {
            const problem = nameProblem(s.names[n.container] ?? '');
            return (
              <tr key={n.container}>
                <td className="figure-names-container" title={n.container}>
                  {n.container}
                </td>
                <td>
                  <input
                    aria-label={`Name of ${n.container} in the figure`}
                    value={s.names[n.container] ?? ''}
                    placeholder={n.name}
                    aria-invalid={problem !== null}
                    onChange={(e) => s.set({ names: { ...s.names, [n.container]: e.target.value } })}
                  />
                  {problem !== null && <span className="figure-problem">{problem}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </fieldset>
  );
}
