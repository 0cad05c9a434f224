/** Defaults with the options that are set (an option given as undefined keeps its default; unknown keys are ignored). */
export function withDefaults<T extends object>(defaults: T, options: object): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options))
    if (v !== undefined && k in defaults) (out as Record<string, unknown>)[k] = v;
  return out;
}
