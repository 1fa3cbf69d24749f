/**
 * An element's width, measured before the first paint and again whenever it changes size; `initial` until
 * measured (0 by default, as where nothing lays out, in jsdom). `inner`: the room inside its horizontal
 * padding, as a row's cells have it.
 */
import { useLayoutEffect, useState, type RefObject } from 'react';

export function useElementWidth(
  element: RefObject<HTMLElement | null>,
  { initial = 0, inner = false }: { initial?: number; inner?: boolean } = {},
): number {
  const [width, setWidth] = useState(initial);
  useLayoutEffect(() => {
    const el = element.current;
    if (!el) return;
    const measure = () => {
      if (!inner) return setWidth(el.clientWidth);
      const style = getComputedStyle(el);
      const padding = (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.paddingRight) || 0);
      setWidth(el.clientWidth - padding);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [element, inner]);
  return width;
}
