import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics shared by every service: HTTP requests, latency and errors by route, and
 * calls, latency, retries, errors and breaker state by dependency. Every series has a `service`
 * label.
 */
export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  httpErrors: Counter<'route' | 'status'>;
  dependencyCalls: Counter<'dependency' | 'outcome'>;
  dependencyDuration: Histogram<'dependency'>;
  dependencyErrors: Counter<'dependency' | 'reason'>;
  dependencyRetries: Counter<'dependency' | 'outcome'>;
  breakerState: Gauge<'dependency'>;
}

const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to serve an HTTP request, in seconds.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    httpErrors: new Counter({
      name: 'http_errors_total',
      help: 'HTTP responses with a 5xx status, by route.',
      labelNames: ['route', 'status'],
      registers,
    }),
    dependencyCalls: new Counter({
      name: 'dependency_calls_total',
      help: 'Calls to a dependency, by outcome: success, failure, timeout or rejected (breaker open).',
      labelNames: ['dependency', 'outcome'],
      registers,
    }),
    dependencyDuration: new Histogram({
      name: 'dependency_call_duration_seconds',
      help: 'Time of one attempt to call a dependency, in seconds.',
      labelNames: ['dependency'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    dependencyErrors: new Counter({
      name: 'dependency_errors_total',
      help: 'Failed attempts to call a dependency, by reason.',
      labelNames: ['dependency', 'reason'],
      registers,
    }),
    dependencyRetries: new Counter({
      name: 'dependency_retries_total',
      help: 'Retries of dependency calls: attempted, or denied by the retry budget.',
      labelNames: ['dependency', 'outcome'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.',
      labelNames: ['dependency'],
      registers,
    }),
  };
}
