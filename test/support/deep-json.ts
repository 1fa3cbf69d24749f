/**
 * JSON text of a string nested `levels` arrays deep. Written as text, since JSON.stringify (and structured
 * clone) overflow the stack on such a value somewhere past 10,000 levels, while JSON.parse reads it.
 */
export const deeplyNestedJson = (levels: number): string => `${'['.repeat(levels)}"bottom"${']'.repeat(levels)}`;
