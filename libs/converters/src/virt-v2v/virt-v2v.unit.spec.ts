import { describe, expect, it } from 'vitest';
import { libguestfsEnvironment } from './environment.ts';
import { v2vCopyProgress, v2vMessages, type V2vMessage } from './output.ts';

describe('libguestfsEnvironment', () => {
  it('forces software emulation when the CPU cannot run KVM guests, even with /dev/kvm present', () => {
    expect(libguestfsEnvironment('flags\t\t: fpu vme de pse sse2 hypervisor', true)).toEqual({
      LIBGUESTFS_BACKEND: 'direct',
      LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg',
    });
    expect(libguestfsEnvironment('flags\t\t: fpu vme vmx sse2', false)).toEqual({
      LIBGUESTFS_BACKEND: 'direct',
      LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg',
    });
  });

  it('lets KVM be used where it works', () => {
    expect(libguestfsEnvironment('flags\t\t: fpu vme svm sse2', true)).toEqual({
      LIBGUESTFS_BACKEND: 'direct',
    });
  });
});

describe('virt-v2v output', () => {
  it('reads the JSON records among the human lines, split across chunks', () => {
    const seen: V2vMessage[] = [];
    const feed = v2vMessages((m) => seen.push(m));
    feed(
      '[   0.0] Setting up the source: -i vmx g.vmx\n{ "message": "Setting up the source", "timestamp": "2026-11-25T10:00:00Z", "type": "message" }\n{ "message": "inspection could not',
    );
    feed(' detect the source guest", "type": "error" }\nvirt-v2v: error: something\n');
    expect(seen).toEqual([
      { type: 'message', message: 'Setting up the source' },
      { type: 'error', message: 'inspection could not detect the source guest' },
    ]);
  });

  it("reads nbdcopy's progress bar per disk, never backwards", () => {
    const seen: [number, number][] = [];
    let disk = 0;
    const feed = v2vCopyProgress(
      () => disk,
      (d, p) => seen.push([d, p]),
    );
    feed('▝   0% [----------]\r█  42% [****------]\r█  40% [****------]\r');
    disk = 1;
    feed('▝   5% [*---------]\r█ 100% [**********]\n');
    expect(seen).toEqual([
      [0, 0],
      [0, 42],
      [1, 5],
      [1, 100],
    ]);
  });
});
