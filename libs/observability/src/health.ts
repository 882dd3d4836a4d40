import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** A readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Each process has its own registry, with Node's default metrics. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * /health, /ready and /metrics on the service's own HTTP port. A service module lists
 * it among its controllers and provides READINESS_CHECKS and METRICS_REGISTRY.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Alive: the process answers HTTP. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Ready: every dependency (PostgreSQL, NATS) answers; 503 otherwise, naming which not. */
  @Get('ready')
  async ready() {
    const results = await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2_000))]);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, (error as Error).message || 'failed'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.every(([, state]) => state === 'ok')) return { status: 'ready', checks };
    throw new ServiceUnavailableException({ error: { code: 'UNAVAILABLE', message: 'not ready', details: checks } });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics() {
    return this.registry.metrics();
  }
}

