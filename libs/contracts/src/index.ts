export * from './commands/index.ts';
export * from './events/index.ts';
export * from './metadata.ts';
export * from './migration-model.ts';
export * from './subjects.ts';
export * from './types.ts';
export * from './validation.ts';
export * from './vm.ts';
export { SCHEMA_VERSION, type DeepReadonly, type Infer } from './schema.ts';
