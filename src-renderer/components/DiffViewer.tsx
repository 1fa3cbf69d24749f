/**
 * One file's unified diff, syntax-highlighted, drawn by @git-diff-view/react
 * (highlight.js through lowlight; the language follows the file's name). This
 * module is loaded on demand, so the highlighter's grammars reach the page only
 * when someone opens a diff.
 */
import { DiffModeEnum, DiffView } from '@git-diff-view/react';
import '@git-diff-view/react/styles/diff-view-pure.css';
import { useSyncExternalStore } from 'react';

const DARK = '(prefers-color-scheme: dark)';

function subscribeToScheme(listener: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(DARK);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}

/** Light or dark, as the page is: Baton follows the OS, and so does the diff. */
function useColorScheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribeToScheme, () =>
    typeof window.matchMedia === 'function' && window.matchMedia(DARK).matches ? 'dark' : 'light',
  );
}

export default function DiffViewer({ path, patch }: { path: string; patch: string }) {
  const theme = useColorScheme();
  return (
    <DiffView
      data={{ oldFile: { fileName: path }, newFile: { fileName: path }, hunks: [patch] }}
      diffViewMode={DiffModeEnum.Unified}
      diffViewTheme={theme}
      diffViewHighlight
      diffViewWrap
      diffViewFontSize={13}
    />
  );
}
