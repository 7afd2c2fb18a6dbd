import { defineCommand } from '../message.ts';
import { MigrationOptions } from '../migration-model.ts';
import { Closed, HostName, JobId, Text, Type, VmKey } from '../schema.ts';
import { COMMAND_SUBJECTS } from '../subjects.ts';
import { MAX_SELECTION, SourceRef } from '../vm.ts';

const JobRef = Closed({ jobId: JobId });

export const CreateMigrations = defineCommand(
  'CreateMigrations',
  COMMAND_SUBJECTS.CreateMigrations,
  'Create one migration job per selected VM; VMs that already have an active job are skipped and reported.',
  Closed({
    vmKeys: Type.Array(VmKey, { minItems: 1, maxItems: MAX_SELECTION, uniqueItems: true }),
    // Partial drops the closed object's `additionalProperties`: a misspelt option must not pass.
    options: Type.Optional(Type.Partial(MigrationOptions, { additionalProperties: false })),
  }),
);

export const CancelMigration = defineCommand(
  'CancelMigration',
  COMMAND_SUBJECTS.CancelMigration,
  'Cancel an active job: a failure the operator asked for, rolled back like any other.',
  Closed({ jobId: JobId, reason: Type.Optional(Text(1024)) }),
);

export const RetryMigration = defineCommand(
  'RetryMigration',
  COMMAND_SUBJECTS.RetryMigration,
  'Start a new attempt of a rolled-back job, keeping its history; options given replace those of the job (edit and retry).',
  Closed({
    jobId: JobId,
    reason: Type.Optional(Text(1024)),
    options: Type.Optional(Type.Partial(MigrationOptions, { additionalProperties: false })),
  }),
);

export const RerunRollback = defineCommand(
  'RerunRollback',
  COMMAND_SUBJECTS.RerunRollback,
  "Run a failed job's rollback again: after a rollback that could not remove everything, or one that never finished.",
  Closed({ jobId: JobId, reason: Type.Optional(Text(1024)) }),
);

export const ValidateMigration = defineCommand(
  'ValidateMigration',
  COMMAND_SUBJECTS.ValidateMigration,
  "Re-read the job's VM from its source and check it can be migrated.",
  JobRef,
);

export const RefreshInventory = defineCommand(
  'RefreshInventory',
  COMMAND_SUBJECTS.RefreshInventory,
  'Re-read every configured source, or only the one named.',
  Closed({ source: Type.Optional(SourceRef) }),
);

export const ConvertDisks = defineCommand(
  'ConvertDisks',
  COMMAND_SUBJECTS.ConvertDisks,
  "Convert every disk of the job's VM.",
  JobRef,
);

export const UploadImage = defineCommand(
  'UploadImage',
  COMMAND_SUBJECTS.UploadImage,
  "Upload the job's converted disks to Glance, from the conversion host that holds them: with `host`, the command is published on the subject's `.<host>` (only that host's image service takes it).",
  Closed({ jobId: JobId, host: Type.Optional(HostName) }),
);

export const DeployServer = defineCommand(
  'DeployServer',
  COMMAND_SUBJECTS.DeployServer,
  "Create the job's server in Nova on its Neutron networks.",
  JobRef,
);

export const VerifyServer = defineCommand(
  'VerifyServer',
  COMMAND_SUBJECTS.VerifyServer,
  "Wait for the job's server to be ACTIVE.",
  JobRef,
);

export const RollBackMigration = defineCommand(
  'RollBackMigration',
  COMMAND_SUBJECTS.RollBackMigration,
  'Remove what a failed job created, as its rollback policy says.',
  JobRef,
);

export const commandSchemas = [
  CreateMigrations,
  CancelMigration,
  RetryMigration,
  RerunRollback,
  ValidateMigration,
  RefreshInventory,
  ConvertDisks,
  UploadImage,
  DeployServer,
  VerifyServer,
  RollBackMigration,
] as const;
