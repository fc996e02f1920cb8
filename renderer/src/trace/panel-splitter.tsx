import { useRef } from 'react';

// The handle between the Gantt and the side column: drag it, or focus it and use ←/→ (Shift: by
// 80 px), Home/End. The column's width is kept across traces.

interface Props {
  width: number;
  min: number;
  max: number;
  onChange(width: number): void;
}

export function PanelSplitter({ width, min, max, onChange }: Props) {
  const start = useRef<{ x: number; w: number } | null>(null);
  const clamp = (w: number) => Math.max(min, Math.min(max, w));
  return (
    <div
      className="panel-splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the side panel"
      aria-valuenow={Math.round(width)}
      aria-valuemin={min}
      aria-valuemax={Math.round(max)}
      tabIndex={0}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { x: e.clientX, w: width };
      }}
      onPointerMove={(e) => {
        if (start.current !== null) onChange(clamp(start.current.w - (e.clientX - start.current.x)));
      }}
      onPointerUp={() => (start.current = null)}
      onPointerCancel={() => (start.current = null)}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 80 : 20;
        const next = e.key === 'ArrowLeft' ? width + step : e.key === 'ArrowRight' ? width - step : e.key === 'Home' ? max : e.key === 'End' ? min : null;
        if (next === null) return;
        e.preventDefault();
        e.stopPropagation();
        onChange(clamp(next));
      }}
    />
  );
}
