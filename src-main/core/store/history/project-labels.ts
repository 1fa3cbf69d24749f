/** Names for projects that tell apart folders of the same name. */

function pathSegments(workingDir: string): string[] {
  return workingDir.split(/[\\/]+/).filter((segment) => segment.length > 0);
}

/**
 * A name for each project: its folder's name, or, where two folders share a name, as many of
 * the last path segments as tell them apart ("work/api" beside "old/api"); the whole path when
 * even that is not enough.
 */
export function projectLabels(projects: Array<{ id: string; workingDir: string }>): Map<string, string> {
  const segments = new Map(projects.map((p) => [p.id, pathSegments(p.workingDir)]));
  const depth = new Map(projects.map((p) => [p.id, 1]));
  const labelOf = (p: { id: string; workingDir: string }) => {
    const parts = segments.get(p.id) ?? [];
    const d = depth.get(p.id) ?? 1;
    if (parts.length === 0) return p.workingDir;
    if (d > parts.length) return p.workingDir;
    return parts.slice(-d).join('/');
  };
  for (;;) {
    const groups = new Map<string, Array<{ id: string; workingDir: string }>>();
    for (const p of projects) {
      const label = labelOf(p);
      groups.set(label, [...(groups.get(label) ?? []), p]);
    }
    let deeper = false;
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      for (const p of group) {
        const parts = segments.get(p.id) ?? [];
        const d = depth.get(p.id) ?? 1;
        if (d <= parts.length) {
          depth.set(p.id, d + 1);
          deeper = true;
        }
      }
    }
    if (!deeper) break;
  }
  return new Map(projects.map((p) => [p.id, labelOf(p)]));
}
