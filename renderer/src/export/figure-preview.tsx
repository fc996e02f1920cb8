import { useEffect, useMemo } from 'react';
import type { FigurePreview } from '../../../electron/ipc-contract.js';

// The live preview: the SVG an export writes, shown as an image (an <img> runs no script and
// loads nothing, whatever the SVG holds), at its printed size when that fits, else scaled down.

function printedSize(svg: string): string | null {
  const m = /<svg[^>]*\swidth="([\d.]+)(pt|px|in|cm|mm)?"[^>]*\sheight="([\d.]+)(pt|px|in|cm|mm)?"/.exec(svg);
  if (m === null) return null;
  const unit = m[2] ?? 'px';
  return `${m[1]} × ${m[3]} ${unit}`;
}

export function FigurePreviewPane({ figure, error, pending }: { figure: FigurePreview | null; error: string | null; pending: boolean }) {
  const url = useMemo(() => (figure === null ? null : URL.createObjectURL(new Blob([figure.svg], { type: 'image/svg+xml' }))), [figure]);
  useEffect(() => () => (url === null ? undefined : URL.revokeObjectURL(url)), [url]);
  const size = figure === null ? null : printedSize(figure.svg);
  return (
    <div className="figure-preview" aria-busy={pending}>
      <div className="figure-preview-head">
        <span className="muted">Preview{size !== null ? `: ${size}` : ''}</span>
        {pending && <span className="muted">drawing…</span>}
      </div>
      {error !== null && (
        <p className="figure-problem" role="alert">
          {error}
        </p>
      )}
      {figure !== null && figure.warnings.length > 0 && (
        <ul className="figure-warnings" aria-label="What the figure gave up">
          {figure.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div className="figure-preview-page">{url !== null ? <img src={url} alt="Preview of the exported figure" data-testid="figure-preview" /> : <p className="muted">Drawing the figure…</p>}</div>
    </div>
  );
}
