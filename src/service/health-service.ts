// grpc.health.v1.Health: SERVING while the server accepts work, NOT_SERVING while it drains.
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { type Health, HealthCheckResponse_ServingStatus as S } from '../gen/grpc/health/v1/health_pb.js';

/** Health state shared with the server's lifecycle. */
export interface HealthState {
  /** Marks every service NOT_SERVING (on shutdown). */
  setDraining(): void;
  /** True once draining began. */
  isDraining(): boolean;
}

/** Creates the Health service for `services` (fully qualified names); "" means the whole server. */
export function createHealthService(services: readonly string[]): {
  impl: ServiceImpl<typeof Health>;
  state: HealthState;
} {
  let draining = false;
  const waiters = new Set<() => void>();
  const statusOf = (service: string): S => {
    if (service !== '' && !services.includes(service)) return S.SERVICE_UNKNOWN;
    return draining ? S.NOT_SERVING : S.SERVING;
  };
  return {
    state: {
      setDraining() {
        draining = true;
        for (const w of waiters) w();
      },
      isDraining: () => draining,
    },
    impl: {
      async check(req) {
        const status = statusOf(req.service);
        if (status === S.SERVICE_UNKNOWN) {
          throw new ConnectError(`service: "${req.service}" is not served here`, Code.NotFound);
        }
        return { status };
      },
      async *watch(req, ctx: HandlerContext) {
        let last = statusOf(req.service);
        yield { status: last };
        while (!ctx.signal.aborted) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              waiters.delete(wake);
              ctx.signal.removeEventListener('abort', wake);
              resolve();
            };
            waiters.add(wake);
            ctx.signal.addEventListener('abort', wake);
          });
          const now = statusOf(req.service);
          if (now !== last && !ctx.signal.aborted) {
            last = now;
            yield { status: now };
          }
        }
      },
    },
  };
}
