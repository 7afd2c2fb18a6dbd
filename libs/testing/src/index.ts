export { emptyVmdk, sameDiskAs, vmdkOf, writeDataImage } from './data-image.ts';
export { eventually } from './eventually.ts';
export { freePort } from './free-port.ts';
export { natsServerBinary } from './nats-binary.ts';
export { startNatsServer, type NatsServer } from './nats-server.ts';
export { startNatsCluster, type NatsCluster, type NatsClusterNode } from './nats-cluster.ts';
export {
  plainVm,
  startVsphereSimulator,
  type SimulatedVm,
  type VsphereSimulator,
} from './vsphere-simulator.ts';
export { loopbackOpenStack, type LoopbackOpenStack } from './loopback-openstack.ts';
export { startBuiltService, type RunningService } from './service-process.ts';
export { startNginx } from './nginx.ts';
export { startFaultProxy, type FaultMode, type FaultProxy } from './fault-proxy.ts';
