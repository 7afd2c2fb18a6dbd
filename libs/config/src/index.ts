export { catalogue, type SettingName } from './catalogue.ts';
export {
  ALL_SETTINGS,
  ConfigError,
  environment,
  loadConfig,
  loadConfigOrExit,
  type Config,
  type ConfigProblem,
} from './load.ts';
export { openGatewayProblem } from './open-gateway.ts';
export type { Setting, ValueOf } from './setting.ts';
