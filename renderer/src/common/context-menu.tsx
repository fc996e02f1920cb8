import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { routeContextMenu } from '../actions/menu-actions.js';
import { useContextMenu } from '../stores/context-menu-store.js';
import '../anchors.css';

// The context menu, drawn once for the whole window: a menu of buttons at the pointer, kept inside
// the window. ↑/↓ move, Enter runs, Esc, a press outside, a scroll or a resize close it, and focus
// goes back where it was.

export function ContextMenu() {
  const menu = useContextMenu((s) => s.menu);
  const close = useContextMenu((s) => s.close);
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (menu === null || el === null) return setPos(null);
    const r = el.getBoundingClientRect();
    setPos({ left: Math.max(4, Math.min(menu.x, window.innerWidth - r.width - 4)), top: Math.max(4, Math.min(menu.y, window.innerHeight - r.height - 4)) });
  }, [menu]);
  // Focus the first item once the menu is placed (a hidden element cannot take focus).
  const placed = pos !== null;
  useEffect(() => {
    if (placed) ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }, [menu, placed]);

  useEffect(() => {
    window.addEventListener('contextmenu', routeContextMenu);
    window.addEventListener('keydown', routeContextMenu);
    return () => {
      window.removeEventListener('contextmenu', routeContextMenu);
      window.removeEventListener('keydown', routeContextMenu);
    };
  }, []);

  useEffect(() => {
    if (menu === null) return;
    const away = (e: Event) => {
      if (ref.current !== null && e.target instanceof Node && ref.current.contains(e.target)) return;
      close();
    };
    const onClose = () => close();
    window.addEventListener('pointerdown', away, true);
    window.addEventListener('wheel', onClose, { passive: true });
    window.addEventListener('resize', onClose);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('pointerdown', away, true);
      window.removeEventListener('wheel', onClose);
      window.removeEventListener('resize', onClose);
      window.removeEventListener('blur', onClose);
    };
  }, [menu, close]);

  if (menu === null) return null;
  const finish = (restore: boolean) => {
    const back = menu.returnFocus;
    close();
    if (restore && back?.isConnected === true) back.focus();
  };
  return (
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label={menu.title}
      style={pos === null ? { left: menu.x, top: menu.y, visibility: 'hidden' } : pos}
      onContextMenu={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? [])];
        const i = items.indexOf(document.activeElement as HTMLButtonElement);
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const n = items.length;
          items[(i + (e.key === 'ArrowDown' ? 1 : n - 1) + n) % n]?.focus();
        } else if (e.key === 'Home' || e.key === 'End') {
          e.preventDefault();
          items[e.key === 'Home' ? 0 : items.length - 1]?.focus();
        } else if (e.key === 'Escape' || e.key === 'Tab') {
          e.preventDefault();
          e.stopPropagation();
          finish(true);
        }
      }}
    >
      <div className="context-menu-title" aria-hidden="true">
        {menu.title}
      </div>
      {menu.items.map((it) => (
        <button
          key={it.label}
          type="button"
          role="menuitem"
          disabled={it.disabled === true}
          tabIndex={-1}
          onClick={() => {
            finish(true);
            it.run();
          }}
        >
          {it.label}
        </button>
      ))}
    </div>
  );
}
