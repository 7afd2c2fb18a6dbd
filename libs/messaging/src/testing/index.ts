export { startSecureNats, type SecureNats } from './secure-nats.ts';
