export { startSecureNats, type SecureNats } from './secure-nats.ts';
export { deadLetterCommand } from './dead-letter-command.ts';
