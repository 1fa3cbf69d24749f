import { useEffect, useRef } from 'react';

/** A panel over the page: it takes the focus when it opens, and Escape closes it. Put the ref on the panel. */
export function useSidePanel(onClose: () => void) {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    panel.current?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return panel;
}
