/** Injection tokens of the discovery service. */
export const EVENT_STORE = Symbol('EventStore');
export const SOURCES = Symbol('InventorySources');
