/** The contract's messages and descriptions are lower-case phrases ("the prompt must not be empty"); the window shows sentences. */
export const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The last segment of a path, to name a project by its folder. */
export function baseName(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? dir;
}
