/** Thrown for bad input found before any kernel starts (the command exits 2). */
export class InputError extends Error {}
