export {
  CloudConfigError,
  configFolders,
  loadCloudConfig,
  type CloudAuth,
  type CloudConfig,
} from './config/cloud-config.ts';
export { errorMessage, OpenStackError } from './http/openstack-error.ts';
export { OpenStackHttp, type HttpOptions, type HttpResponse } from './http/openstack-http.ts';
export { retryDelayMs, type Outcome, type RetryOptions } from './http/retry-policy.ts';
export {
  OpenStackSession,
  SERVICES,
  type CallOptions,
  type ServiceType,
} from './identity/session.ts';
