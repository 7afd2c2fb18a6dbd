import { randomBytes } from 'node:crypto';
import { loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cinder } from '../block-storage/cinder.ts';
import { loadCloudConfig } from '../config/cloud-config.ts';
import { OpenStackHttp } from '../http/openstack-http.ts';
import { OpenStackSession } from '../identity/session.ts';
import { Neutron } from '../network/neutron.ts';
import { Nova } from './nova.ts';
import { resolvePlacement, type PlacementClients } from './placement-choices.ts';

const run = randomBytes(3).toString('hex');

describe("placement choices found in the loopback cloud's Nova, Neutron and Cinder", () => {
  let cloud: LoopbackOpenStack;
  let http: OpenStackHttp;
  let clients: PlacementClients;
  const names = { group: `ferry-sg-${run}`, key: `ferry-kp-${run}`, type: `ferry-vt-${run}` };
  let groupId: string;
  let typeId: string;

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    clients = {
      nova: new Nova(session),
      neutron: new Neutron(session),
      cinder: new Cinder(session),
    };
    groupId = cloud.cli<{ id: string }>('security group', 'create', names.group).id;
    cloud.run('keypair', 'create', names.key);
    typeId = cloud.cli<{ id: string }>('volume type', 'create', names.type).id;
  }, 20 * 60_000);
  afterAll(async () => {
    cloud.run('security group', 'delete', names.group);
    cloud.run('keypair', 'delete', names.key);
    cloud.run('volume type', 'delete', names.type);
    await http.close();
  });

  it('finds each choice by name or id, and asks nothing when none is made', async () => {
    expect(
      await resolvePlacement(clients, {
        availabilityZone: 'nova',
        securityGroups: [names.group],
        keyName: names.key,
        volumeType: names.type,
      }),
    ).toEqual({
      availabilityZone: 'nova',
      securityGroupIds: [groupId],
      keyName: names.key,
      volumeTypeId: typeId,
    });
    expect(
      await resolvePlacement(clients, { securityGroups: [groupId], volumeType: typeId }),
    ).toEqual({ securityGroupIds: [groupId], volumeTypeId: typeId });
    expect(await resolvePlacement(clients, { keyName: null, volumeType: null })).toEqual({
      securityGroupIds: [],
    });
  });

  it('names the choice the cloud lacks', async () => {
    const problem = async (choices: Parameters<typeof resolvePlacement>[1]) => {
      const answer = await resolvePlacement(clients, choices);
      return 'problem' in answer ? answer.problem : answer;
    };
    expect(await problem({ availabilityZone: 'atlantis' })).toEqual({
      code: 'zone-missing',
      message: expect.stringMatching(/^Nova has no availability zone atlantis \(it has .*nova/),
    });
    expect(await problem({ securityGroups: [names.group, 'no-such-group'] })).toEqual({
      code: 'security-group-missing',
      message: 'Neutron has no security group no-such-group',
    });
    expect(await problem({ keyName: 'no-such-key' })).toEqual({
      code: 'key-pair-missing',
      message: 'Nova has no key pair no-such-key for this user',
    });
    expect(await problem({ volumeType: 'no-such-type' })).toEqual({
      code: 'volume-type-missing',
      message: expect.stringMatching(/^Cinder has no volume type no-such-type \(it has .*/),
    });
  });
});
