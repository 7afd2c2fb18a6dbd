import type { EventOf } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { at, event } from './decider.fixtures.ts';
import { describeEvent } from './describe-event.ts';

const verified = (guest?: EventOf<'MigrationVerified'>['data']['guest']) =>
  ({
    type: 'MigrationVerified',
    data: {
      jobId: 'job-1',
      outcome: 'verified',
      serverStatus: 'ACTIVE',
      durationMs: 7400,
      ...(guest ? { guest } : {}),
    },
    metadata: { commandId: 'c', correlationId: 'c', occurredAt: '2026-12-06T12:00:00Z' },
  }) as EventOf<'MigrationVerified'>;

describe('what a verification says', () => {
  it('given ACTIVE only, then the status and time', () => {
    expect(describeEvent(verified())).toBe('server ACTIVE after 7.4 s');
  });

  it('given a guest at its login prompt with its kept address, then that evidence', () => {
    expect(
      describeEvent(
        verified({
          booted: true,
          evidence: 'ferry-guest login:',
          addresses: ['10.0.0.200'],
          addressesKept: true,
          waitedMs: 48_000,
        }),
      ),
    ).toBe(
      'server ACTIVE after 7.4 s; the guest booted to a login prompt in 48.0 s, showing 10.0.0.200 (the kept addresses)',
    );
  });

  it('given no console evidence, then why', () => {
    expect(
      describeEvent(
        verified({
          booted: false,
          evidence: 'no login prompt on the serial console within 300 s (…); its last lines: x',
          addresses: [],
          addressesKept: null,
          waitedMs: 300_000,
        }),
      ),
    ).toBe(
      'server ACTIVE after 7.4 s; no boot evidence: no login prompt on the serial console within 300 s (…)',
    );
  });
});

describe('what a dry-run deployment says', () => {
  const deployed = (networks: string[]) =>
    event(
      'ServerDeployed',
      {
        jobId: 'job-1',
        dryRun: true,
        serverId: null,
        flavor: 'm1.tiny',
        bootMode: 'image',
        networks,
        ports: [],
        volumes: [],
        reused: false,
      },
      at(1),
    );

  it('given the target it previewed, then the flavor and networks a real run would use', () => {
    expect(describeEvent(deployed(['net-1']))).toBe(
      'dry run: no server; a real run would use flavor m1.tiny, network(s) net-1',
    );
    expect(describeEvent(deployed([]))).toBe(
      'dry run: no server; a real run would use flavor m1.tiny',
    );
  });
});
