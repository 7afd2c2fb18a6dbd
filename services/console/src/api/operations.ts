// Every operation the console sends. Their types are generated from them and the gateway's schema
// (generated/graphql.ts, `npm run codegen`); a shared selection is a fragment, its definition
// appended to each operation that spreads it.

import { operation } from './operation.ts';
import type {
  AdminQuery,
  AdminQueryVariables,
  CancelMigrationMutation,
  CancelMigrationMutationVariables,
  CancelMigrationsMutation,
  CancelMigrationsMutationVariables,
  HealthQuery,
  HealthQueryVariables,
  InventoryChangedSubscription,
  InventoryChangedSubscriptionVariables,
  InventoryQuery,
  InventoryQueryVariables,
  MigrateMutation,
  MigrateMutationVariables,
  MigrationQuery,
  MigrationQueryVariables,
  MigrationUpdatedSubscription,
  MigrationUpdatedSubscriptionVariables,
  MigrationsQuery,
  MigrationsQueryVariables,
  MigrationsUpdatedSubscription,
  MigrationsUpdatedSubscriptionVariables,
  RefreshInventoryMutation,
  RefreshInventoryMutationVariables,
  ReplayDeadLettersMutation,
  ReplayDeadLettersMutationVariables,
  RerunRollbackMutation,
  RerunRollbackMutationVariables,
  RetryMigrationMutation,
  RetryMigrationMutationVariables,
  RetryMigrationsMutation,
  RetryMigrationsMutationVariables,
  SourcesQuery,
  SourcesQueryVariables,
  ToolLogQuery,
  ToolLogQueryVariables,
} from './generated/graphql.ts';

const VM_FIELDS = /* GraphQL */ `
  fragment VmFields on Vm {
    key
    name
    cpus
    memoryMiB
    firmware
    secureBoot
    guestOs
    powerState
    hasSnapshots
    totalDiskBytes
    stale
    problems
    source {
      kind
      id
      key
      reachable
    }
    disks {
      index
      controller
      slot
      path
      capacityBytes
    }
    nics {
      index
      network
      mac
      addresses
    }
    labels {
      key
      value
    }
    activeJob {
      id
      state
      phase
    }
  }
`;

const SUMMARY_FIELDS = /* GraphQL */ `
  fragment MigrationSummaryFields on Migration {
    id
    state
    phase
    finished
    canCancel
    canRetry
    canRerunRollback
    vmKey
    vmName
    attempt
    dryRun
    createdAt
    updatedAt
    eventCount
    source {
      key
    }
    stages {
      stage
      startedAt
      endedAt
      durationMs
      outcome
    }
    disks {
      diskIndex
      path
      capacityBytes
      percent
      bytesDone
    }
    error {
      stage
      code
      message
    }
  }
`;

const DETAIL_FIELDS = /* GraphQL */ `
  fragment MigrationDetailFields on Migration {
    ...MigrationSummaryFields
    options {
      strategy
      bootMode
      flavor
      keepMac
      keepIps
      availabilityZone
      securityGroups
      keyName
      volumeType
      serverName
      networkMapping {
        source
        target
      }
    }
    flags {
      realConversion
      openstackDeployment
      rollback
    }
    validation {
      outcome
      at
      checks {
        name
        outcome
        detail
        severity
        facts
      }
    }
    conversion {
      strategy
      dryRun
      commands
      startedAt
      completedAt
    }
    artifacts {
      diskIndex
      path
      format
      virtualSize
      allocatedSize
      sha256
      imageId
      imageHash
    }
    imageId
    imageIds
    serverId
    ports
    volumes
    resources {
      kind
      id
      name
    }
    error {
      stage
      code
      message
      retryable
      at
    }
    rollback {
      startedAt
      outcome
      completedAt
      steps {
        kind
        id
        name
        outcome
        detail
        at
      }
    }
    timeline {
      revision
      type
      at
      summary
      commandId
      actor {
        kind
        id
        name
      }
      data
    }
  }
  ${SUMMARY_FIELDS}
`;

export const INVENTORY_QUERY = operation<InventoryQuery, InventoryQueryVariables>(/* GraphQL */ `
  query Inventory($filter: InventoryFilter) {
    inventory(filter: $filter) {
      ...VmFields
    }
    sources {
      kind
      id
      key
      reachable
      error
      vmCount
    }
    unreadableVms {
      location
      error
      source {
        key
      }
    }
  }
  ${VM_FIELDS}
`);

export const INVENTORY_CHANGED = operation<
  InventoryChangedSubscription,
  InventoryChangedSubscriptionVariables
>(/* GraphQL */ `
  subscription InventoryChanged {
    inventoryChanged {
      type
      vmKey
      at
    }
  }
`);

export const REFRESH_INVENTORY = operation<
  RefreshInventoryMutation,
  RefreshInventoryMutationVariables
>(/* GraphQL */ `
  mutation RefreshInventory($source: SourceInput) {
    refreshInventory(source: $source) {
      commandId
    }
  }
`);

export const MIGRATE = operation<MigrateMutation, MigrateMutationVariables>(/* GraphQL */ `
  mutation Migrate($vmKeys: [ID!]!, $options: MigrationOptionsInput, $commandId: ID) {
    migrate(vmKeys: $vmKeys, options: $options, commandId: $commandId) {
      commandId
      jobs {
        jobId
        vmKey
      }
      skipped {
        vmKey
        reason
        activeJobId
        detail
      }
    }
  }
`);

export const MIGRATIONS_QUERY = operation<MigrationsQuery, MigrationsQueryVariables>(/* GraphQL */ `
  query Migrations(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: MigrationFilter
  ) {
    migrations(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          ...MigrationSummaryFields
        }
      }
    }
  }
  ${SUMMARY_FIELDS}
`);

/** The sources a job list can be narrowed to. */
export const SOURCES_QUERY = operation<SourcesQuery, SourcesQueryVariables>(/* GraphQL */ `
  query Sources {
    sources {
      kind
      id
      key
    }
  }
`);

export const MIGRATIONS_UPDATED = operation<
  MigrationsUpdatedSubscription,
  MigrationsUpdatedSubscriptionVariables
>(/* GraphQL */ `
  subscription MigrationsUpdated {
    migrationUpdated {
      ...MigrationSummaryFields
    }
  }
  ${SUMMARY_FIELDS}
`);

export const MIGRATION_QUERY = operation<MigrationQuery, MigrationQueryVariables>(/* GraphQL */ `
  query Migration($id: ID!) {
    migration(id: $id) {
      ...MigrationDetailFields
    }
  }
  ${DETAIL_FIELDS}
`);

/** Asked apart from the job: a log is read from its own stream, not pushed with every update. */
export const TOOL_LOG_QUERY = operation<ToolLogQuery, ToolLogQueryVariables>(/* GraphQL */ `
  query ToolLog($id: ID!) {
    migration(id: $id) {
      id
      toolLog(last: 500) {
        at
        tool
        kind
        text
      }
    }
  }
`);

export const MIGRATION_UPDATED = operation<
  MigrationUpdatedSubscription,
  MigrationUpdatedSubscriptionVariables
>(/* GraphQL */ `
  subscription MigrationUpdated($id: ID!) {
    migrationUpdated(id: $id) {
      ...MigrationDetailFields
    }
  }
  ${DETAIL_FIELDS}
`);

/** What a request about a job (or each of many) answers: the CommandOutcome type. */
const OUTCOME_FIELDS = /* GraphQL */ `
  fragment CommandOutcomeFields on CommandOutcome {
    commandId
    jobId
    accepted
    reason
  }
`;

export const CANCEL_MIGRATION = operation<
  CancelMigrationMutation,
  CancelMigrationMutationVariables
>(/* GraphQL */ `
  mutation CancelMigration($id: ID!, $reason: String) {
    cancelMigration(id: $id, reason: $reason) {
      ...CommandOutcomeFields
    }
  }
  ${OUTCOME_FIELDS}
`);

export const RETRY_MIGRATION = operation<RetryMigrationMutation, RetryMigrationMutationVariables>(
  /* GraphQL */ `
    mutation RetryMigration($id: ID!, $reason: String, $options: MigrationOptionsInput) {
      retryMigration(id: $id, reason: $reason, options: $options) {
        ...CommandOutcomeFields
      }
    }
    ${OUTCOME_FIELDS}
  `,
);

export const CANCEL_MIGRATIONS = operation<
  CancelMigrationsMutation,
  CancelMigrationsMutationVariables
>(/* GraphQL */ `
  mutation CancelMigrations($ids: [ID!]!, $reason: String) {
    cancelMigrations(ids: $ids, reason: $reason) {
      ...CommandOutcomeFields
    }
  }
  ${OUTCOME_FIELDS}
`);

export const RETRY_MIGRATIONS = operation<
  RetryMigrationsMutation,
  RetryMigrationsMutationVariables
>(/* GraphQL */ `
  mutation RetryMigrations($ids: [ID!]!, $reason: String) {
    retryMigrations(ids: $ids, reason: $reason) {
      ...CommandOutcomeFields
    }
  }
  ${OUTCOME_FIELDS}
`);

export const RERUN_ROLLBACK = operation<RerunRollbackMutation, RerunRollbackMutationVariables>(
  /* GraphQL */ `
    mutation RerunRollback($id: ID!, $reason: String) {
      rerunRollback(id: $id, reason: $reason) {
        ...CommandOutcomeFields
      }
    }
    ${OUTCOME_FIELDS}
  `,
);

export const HEALTH_QUERY = operation<HealthQuery, HealthQueryVariables>(/* GraphQL */ `
  query Health {
    health {
      status
      components {
        kind
        name
        ok
        status
        latencyMs
        version
        url
        detail
      }
    }
  }
`);

export const ADMIN_QUERY = operation<AdminQuery, AdminQueryVariables>(/* GraphQL */ `
  query Admin {
    deadLetters {
      totalCount
      letters {
        seq
        at
        subject
        type
        jobId
        deliveries
        reason
      }
    }
    quarantine {
      totalCount
      commits {
        position
        subject
        stream
        reason
        seenAt
      }
    }
  }
`);

export const REPLAY_DEAD_LETTERS = operation<
  ReplayDeadLettersMutation,
  ReplayDeadLettersMutationVariables
>(/* GraphQL */ `
  mutation ReplayDeadLetters($seqs: [Int!]!) {
    replayDeadLetters(seqs: $seqs) {
      seq
      replayed
      subject
      reason
    }
  }
`);
