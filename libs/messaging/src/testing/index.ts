export { startSecureNats, type SecureNats } from './secure-nats.ts';
export { deadLetterCommand, deadLetterMessage } from './dead-letter-command.ts';
