// Named operating profiles from the seed document (README.md §Configuration): thresholds, timeouts and immediate mode.

/** The settings a preset fixes. */
export interface Preset {
  readonly aggregationThreshold: number;
  readonly aggregationTimeoutSeconds: number;
  readonly immediateMode: boolean;
}

/** bank: 1000 leaves or 1 h; payments: 100 or 10 min, immediate allowed; instant: 10 or 60 s, immediate allowed; evidence: 1000 or 1 day. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  bank: { aggregationThreshold: 1000, aggregationTimeoutSeconds: 3600, immediateMode: false },
  payments: { aggregationThreshold: 100, aggregationTimeoutSeconds: 600, immediateMode: true },
  instant: { aggregationThreshold: 10, aggregationTimeoutSeconds: 60, immediateMode: true },
  evidence: { aggregationThreshold: 1000, aggregationTimeoutSeconds: 86_400, immediateMode: false },
};

/** The preset called `name`, or undefined: only the names above count, not what every object inherits (`toString`). */
export function presetNamed(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}
