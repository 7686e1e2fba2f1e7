// The witness's Prometheus series (GET /metrics on its port, docs/witnesses.md §3): answers by status, and the
// conflicting checkpoints kept by kind. Labels come from closed sets.
import { Counter, Registry } from 'prom-client';
import type { EvidenceKind } from './witness-state.ts';

/** The witness's metrics. */
export interface WitnessMetrics {
  readonly contentType: string;
  text(): Promise<string>;
  answered(status: number): void;
  equivocation(kind: EvidenceKind): void;
}

const STATUSES = new Set([200, 400, 403, 404, 405, 409, 413, 422, 503]);

/** A registry of its own (never prom-client's global one). */
export function createWitnessMetrics(): WitnessMetrics {
  const registry = new Registry();
  const answers = new Counter({
    name: 'spark_witness_requests_total',
    help: 'add-checkpoint requests by HTTP status: 200 cosigned, 409 conflict or stale size, 422 bad proof, 403/404/400 refused',
    labelNames: ['status'],
    registers: [registry],
  });
  const equivocations = new Counter({
    name: 'spark_witness_equivocations_total',
    help: 'Checkpoints signed by a log that conflict with one this witness cosigned, kept as evidence, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  equivocations.inc({ kind: 'same-size-other-root' }, 0);
  equivocations.inc({ kind: 'inconsistent' }, 0);
  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    answered: (status) => answers.inc({ status: STATUSES.has(status) ? String(status) : 'other' }),
    equivocation: (kind) => equivocations.inc({ kind }),
  };
}
