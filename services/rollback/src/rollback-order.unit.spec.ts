import { describe, expect, it } from 'vitest';
import { rollbackOrder } from './rollback-order.ts';

describe('rollbackOrder', () => {
  it('removes the server, then ports, volumes, images and local files', () => {
    const order = rollbackOrder([
      { kind: 'artifact', id: '/out/job/disk-0.qcow2' },
      { kind: 'image', id: 'img-1' },
      { kind: 'volume', id: 'vol-1' },
      { kind: 'port', id: 'port-1' },
      { kind: 'server', id: 'srv-1' },
      { kind: 'image', id: 'img-2' },
    ]);
    expect(order.map((r) => r.id)).toEqual([
      'srv-1',
      'port-1',
      'vol-1',
      'img-1',
      'img-2',
      '/out/job/disk-0.qcow2',
    ]);
  });

  it("removes the job's files before the folder that holds them", () => {
    const order = rollbackOrder([
      { kind: 'artifact', id: '/out/job' },
      { kind: 'artifact', id: '/out/job/disk-0.qcow2' },
      { kind: 'artifact', id: '/out/job/disk-1.qcow2' },
    ]);
    expect(order.map((r) => r.id)).toEqual([
      '/out/job/disk-0.qcow2',
      '/out/job/disk-1.qcow2',
      '/out/job',
    ]);
  });
});
