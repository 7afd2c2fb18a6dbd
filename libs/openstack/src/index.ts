export {
  CloudConfigError,
  configFolders,
  loadCloudConfig,
  type CloudAuth,
  type CloudConfig,
} from './config/cloud-config.ts';
export { errorMessage, OpenStackError } from './http/openstack-error.ts';
export { cloudFailureOf, type CloudFailure } from './http/cloud-failure.ts';
export { OpenStackHttp, type HttpOptions, type HttpResponse } from './http/openstack-http.ts';
export { retryDelayMs, type Outcome, type RetryOptions } from './http/retry-policy.ts';
export {
  OpenStackSession,
  SERVICES,
  type CallOptions,
  type ServiceType,
} from './identity/session.ts';
export { absentOn404 } from './http/absent.ts';
export { Glance, type GlanceImage, type NewImage } from './image/glance.ts';
export {
  Nova,
  NOVA_MICROVERSION,
  type BlockDevice,
  type Flavor,
  type Aggregate,
  type AvailabilityZone,
  type NewServer,
  type Server,
} from './compute/nova.ts';
export {
  Neutron,
  type FixedIp,
  type Network,
  type Port,
  type SecurityGroup,
  type Subnet,
} from './network/neutron.ts';
export {
  cidrContains,
  fixedIpsOf,
  placeAddresses,
  type AddressPlacement,
} from './network/keep-addresses.ts';
export { identityOnTarget, type NicOnTarget } from './network/identity-on-target.ts';
export { Cinder, CINDER_MICROVERSION, type Volume } from './block-storage/cinder.ts';
export { openstackHealth, type ServiceHealth } from './health.ts';
export { FERRY_TAG, jobMarks, jobPortName, jobTag, onlyOne } from './ferry-marks.ts';
export {
  OPENSTACK_SESSION_SETTINGS,
  serviceSession,
  type ServiceSessionLog,
  type ServiceSessionSettings,
} from './service-session.ts';
export { chooseFlavor, type Needs } from './compute/flavor.ts';
export {
  resolvePlacement,
  type PlacementProblem,
  type ServerPlacement,
} from './compute/placement-choices.ts';
export { serverName, sourceMetadata, unknownPlaceholders } from './compute/server-identity.ts';
export { parseNetworkMapping, targetNetworks } from './network/network-mapping.ts';
export {
  bootModeFor,
  resolveDeployTarget,
  type DeployTarget,
  type TargetProblem,
} from './deploy-target.ts';
export {
  selectionNeeds,
  shortfalls,
  type SelectionNeeds,
  type QuotaUse,
  type Usage,
} from './quota/capacity.ts';
export { targetUsage } from './quota/target-usage.ts';
export { Placement } from './placement/placement.ts';
export { zoneHasRoom } from './placement/zone-room.ts';
