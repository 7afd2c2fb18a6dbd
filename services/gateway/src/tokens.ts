/** Injection tokens of the gateway. */
export const PROJECTIONS = Symbol('Projections');
export const HEALTH = Symbol('Health');
export const METRICS = Symbol('GatewayMetrics');
export const NATS = Symbol('NatsConnection');
