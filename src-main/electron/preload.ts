/** The preload will expose the typed contract as `window.baton` (issue #4); it exposes nothing yet. */
export {};
