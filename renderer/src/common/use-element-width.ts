import { useCallback, useEffect, useRef, useState } from 'react';

// The width (and height) of an element, kept current by a ResizeObserver that is disconnected when
// the element goes away.

export function useElementSize<T extends HTMLElement>(): [(el: T | null) => void, number, number] {
  const [size, setSize] = useState({ w: 0, h: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: T | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (el === null) return;
    const ro = new ResizeObserver((entries) => {
      const r = entries[0]!.contentRect;
      setSize((s) => (s.w === Math.round(r.width) && s.h === Math.round(r.height) ? s : { w: Math.round(r.width), h: Math.round(r.height) }));
    });
    ro.observe(el);
    observer.current = ro;
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, size.w, size.h];
}

export function useElementWidth<T extends HTMLElement>(): [(el: T | null) => void, number] {
  const [ref, w] = useElementSize<T>();
  return [ref, w];
}
