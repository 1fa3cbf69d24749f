/** The contract's messages and descriptions are lower-case phrases ("the prompt must not be empty"); the window shows sentences. */
export const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
