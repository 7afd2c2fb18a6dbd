import type { GuestBoot, MigrationEvent } from '@ferry/contracts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What one event of a job says, in a few words. */
export function describeEvent(event: MigrationEvent): string {
  switch (event.type) {
    case 'MigrationCreated': {
      const e = event.data;
      const dry = [
        !e.flags.realConversion && 'conversion',
        !e.flags.openstackDeployment && 'deployment',
      ].filter(Boolean);
      return `vm ${e.vmName} (${e.vmKey}), ${e.options.strategy}, boot from ${e.options.bootMode}${dry.length ? `; dry run of ${dry.join(' and ')}` : ''}${e.flags.rollback ? '' : '; rollback off'}`;
    }
    case 'MigrationValidated':
      return `validation ${event.data.outcome}: ${event.data.checks.map((c) => `${c.name} ${c.outcome}`).join(', ')}`;
    case 'ConversionStarted':
      return `${event.data.strategy}${event.data.dryRun ? ' dry run (nothing converted)' : ''}, ${plural(event.data.disks.length, 'disk')}`;
    case 'ConversionProgressed':
      return `disk ${event.data.diskIndex} ${event.data.percent}%`;
    case 'ConversionCompleted':
      return event.data.dryRun
        ? 'dry run: no artifact'
        : `${plural(event.data.artifacts.length, 'artifact')}${event.data.reused ? ' (reused)' : ''} in ${seconds(event.data.durationMs)}`;
    case 'ImageUploadStarted':
      return event.data.dryRun
        ? `dry run: no image (${event.data.imageName})`
        : `image ${event.data.imageId ?? '?'} (${event.data.imageName})`;
    case 'ImageUploadCompleted':
      return event.data.dryRun
        ? 'dry run: nothing uploaded'
        : `image ${event.data.imageId ?? '?'}, ${event.data.sizeBytes} bytes${event.data.reused ? ' (reused)' : ''} in ${seconds(event.data.durationMs)}`;
    case 'ResourceRecorded':
      return `${event.data.resource.kind} ${event.data.resource.id}`;
    case 'ServerDeployed':
      return event.data.dryRun
        ? `dry run: no server; a real run would use flavor ${event.data.flavor}${event.data.networks.length ? `, network(s) ${event.data.networks.join(', ')}` : ''}`
        : `server ${event.data.serverId ?? '?'}, flavor ${event.data.flavor}, boot from ${event.data.bootMode}${event.data.reused ? ' (found again)' : ''}`;
    case 'MigrationVerified':
      return event.data.outcome === 'dry-run'
        ? 'DRY RUN: nothing was migrated (conversion or deployment was off)'
        : `server ${event.data.serverStatus ?? '?'} after ${seconds(event.data.durationMs)}${guestSummary(event.data.guest)}`;
    case 'MigrationFailed':
      return `${event.data.stage} failed: ${event.data.code}: ${event.data.message}`;
    case 'CancelRequested':
      return `cancel requested by ${event.data.requestedBy}: ${event.data.reason}`;
    case 'RollbackStarted':
      return `${plural(event.data.resources.length, 'resource')} to remove${event.data.keep.length ? `, keeping ${event.data.keep.join(', ')}` : ''}`;
    case 'RollbackStepCompleted':
      return `${event.data.resource.kind} ${event.data.resource.id}: ${event.data.outcome}${event.data.detail ? ` (${event.data.detail})` : ''}`;
    case 'RollbackCompleted':
      return `${event.data.outcome}: ${event.data.deleted} deleted, ${event.data.alreadyAbsent} already absent, ${event.data.kept} kept, ${event.data.failed} failed`;
    case 'MigrationRetried':
      return `attempt ${event.data.attempt}: ${event.data.reason}`;
    case 'StageClaimed':
      return `${event.data.stage} taken by ${event.data.holder} until ${event.data.leaseUntil}${event.data.takenOverFrom ? ` (its lease at ${event.data.takenOverFrom} had lapsed)` : ''}`;
    case 'StageLeaseRenewed':
      return `${event.data.stage} at ${event.data.holder} goes on, until ${event.data.leaseUntil}`;
    case 'StageReleased':
      return `${event.data.stage} let go by ${event.data.holder}: ${event.data.reason}`;
    case 'RollbackRequested':
      return `rollback asked for again by ${event.data.requestedBy}: ${event.data.reason}`;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** What verification saw of the guest: its login prompt and addresses, or why it saw nothing. */
function guestSummary(guest: GuestBoot | undefined): string {
  if (!guest) return '';
  if (!guest.booted) return `; no boot evidence: ${guest.evidence.split(';')[0] ?? ''}`;
  const shown = guest.addresses.length ? `, showing ${guest.addresses.join(', ')}` : '';
  const kept =
    guest.addressesKept === null
      ? ''
      : guest.addressesKept
        ? ' (the kept addresses)'
        : ' (not the kept addresses)';
  return `; the guest booted to a login prompt in ${seconds(guest.waitedMs)}${shown}${kept}`;
}
