/**
 * The colour each series of a chart is drawn in: a model keeps one in every view (History, All usage) and
 * across reloads, from its family or its name, never from its rank.
 */
/** Colours of stacked series, in order; the last is for "Other". */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
export const OTHER_COLOR = '#9c9c9c';

/** FNV-1a over a name's UTF-16 units: the same number for the same name, in every chart and every session. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The colour slot a model family keeps whatever else a chart shows: which names collide on a hashed colour
 * depends on the names beside them, and History (Baton's models) and All usage (every model) show different
 * ones, so a family's one model in use could change colour between the two.
 */
const FAMILY_SLOTS: readonly [RegExp, number][] = [
  [/sonnet/, 0],
  [/^(gpt|o\d|codex)/, 1],
  [/opus/, 2],
  [/^unknown$/, 3],
  [/haiku/, 4],
  [/gemini/, 5],
];

const preferredSlot = (name: string): { slot: number; pinned: boolean } => {
  const family = FAMILY_SLOTS.find(([pattern]) => pattern.test(name));
  return family ? { slot: family[1], pinned: true } : { slot: nameHash(name) % SERIES_COLORS.length, pinned: false };
};

/**
 * A colour for each name that follows from the name alone, not from its rank, so a model keeps its colour in
 * History and All usage and across reloads: its family's (Sonnet, Opus, Haiku, GPT, Gemini), or else its
 * hash's. Two names that meet on one colour: a family's name before a hashed one, a family's latest version
 * before its older ones, then the one of the lower hash (the name first, on a tie) keeps it, the other takes
 * the next free one; past the palette's size they repeat.
 */
export function seriesColors(names: readonly string[]): Map<string, string> {
  const byModel = new Map<string, string>();
  const taken = new Set<number>();
  const ordered = [...new Set(names.map(undated))]
    .map((name) => ({ name, hash: nameHash(name), ...preferredSlot(name) }))
    // A family's names first, the latest version (by name) first, which keeps its colour however many older
    // ones a view shows beside it; then the others by hash.
    .sort((a, b) =>
      a.pinned !== b.pinned
        ? Number(b.pinned) - Number(a.pinned)
        : a.pinned
          ? b.name.localeCompare(a.name)
          : a.hash - b.hash || a.name.localeCompare(b.name),
    );
  for (const { name, slot: preferred } of ordered) {
    let slot = preferred;
    for (let tries = 0; taken.has(slot) && tries < SERIES_COLORS.length; tries++)
      slot = (slot + 1) % SERIES_COLORS.length;
    taken.add(slot);
    if (taken.size >= SERIES_COLORS.length) taken.clear();
    byModel.set(name, SERIES_COLORS[slot] as string);
  }
  return new Map(names.map((name) => [name, byModel.get(undated(name)) as string]));
}

/**
 * A model's name without the date of its snapshot: `claude-sonnet-4-5-20250929` is the model its alias
 * `claude-sonnet-4-5` names, and is drawn in its colour, not pushed to the next one as another model.
 */
const undated = (name: string) => name.replace(/-\d{8}$/, '');
