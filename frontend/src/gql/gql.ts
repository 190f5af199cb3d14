/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  query ClusterChoices {\n    clusters {\n      id\n      name\n      status\n    }\n  }\n": typeof types.ClusterChoicesDocument,
    "\n  mutation SelectCluster($id: ID!) {\n    selectCluster(id: $id) {\n      id\n      activeCluster {\n        id\n      }\n    }\n  }\n": typeof types.SelectClusterDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      domain\n      isOperator\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        status\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query AccessPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        protectedNamespaces\n      }\n    }\n    bindings {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n": typeof types.AccessPageDocument,
    "\n  mutation DeleteBinding($input: DeleteBindingInput!) {\n    deleteBinding(input: $input)\n  }\n": typeof types.DeleteBindingDocument,
    "\n  query BindingOptions($clusterId: ID) {\n    kubernetesRoles(clusterId: $clusterId)\n    emptyKubernetesRoles(clusterId: $clusterId)\n    keystoneRoles(clusterId: $clusterId) {\n      id\n      name\n    }\n  }\n": typeof types.BindingOptionsDocument,
    "\n  mutation CreateBinding($input: CreateBindingInput!) {\n    createBinding(input: $input) {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n": typeof types.CreateBindingDocument,
    "\n  query KeystoneUsers($clusterId: ID, $search: String!, $offset: Int, $limit: Int) {\n    keystoneUsers(clusterId: $clusterId, search: $search, offset: $offset, limit: $limit) {\n      users {\n        id\n        name\n        domain\n        enabled\n        kubernetesUsername\n      }\n      total\n      offset\n      hasMore\n    }\n  }\n": typeof types.KeystoneUsersDocument,
    "\n  query AuditPage($filter: AuditFilter, $first: Int, $before: ID) {\n    auditEntries(filter: $filter, first: $first, before: $before) {\n      entries {\n        id\n        at\n        actorId\n        actorName\n        action\n        clusterId\n        clusterName\n        target\n        result\n        detail\n      }\n      nextBefore\n    }\n  }\n": typeof types.AuditPageDocument,
    "\n  query BackupsPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n      }\n    }\n    backups {\n      veleroInstalled\n      backups {\n        name\n        phase\n        includedNamespaces\n        createdAt\n        startedAt\n        completedAt\n        expiresAt\n        errors\n        warnings\n      }\n      schedules {\n        name\n        schedule\n        phase\n        lastBackupAt\n      }\n      restores {\n        name\n        backupName\n        phase\n        createdAt\n        startedAt\n        completedAt\n      }\n    }\n  }\n": typeof types.BackupsPageDocument,
    "\n  mutation CreateBackup($input: CreateBackupInput!) {\n    createBackup(input: $input) {\n      name\n      phase\n    }\n  }\n": typeof types.CreateBackupDocument,
    "\n  mutation CreateRestore($input: CreateRestoreInput!) {\n    createRestore(input: $input) {\n      name\n      backupName\n      phase\n    }\n  }\n": typeof types.CreateRestoreDocument,
    "\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n": typeof types.AdoptClusterDocument,
    "\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n": typeof types.ClustersPageDocument,
    "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id) {\n      id\n      kind\n      status\n    }\n  }\n": typeof types.DeleteClusterDocument,
    "\n  mutation ProvisionCluster($input: ProvisionClusterInput!) {\n    provisionCluster(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": typeof types.ProvisionClusterDocument,
    "\n  query ClusterDrivers {\n    clusterDrivers\n  }\n": typeof types.ClusterDriversDocument,
    "\n  query RecentJobs($first: Int) {\n    jobs(first: $first) {\n      id\n      kind\n      status\n      stepName\n      percent\n      createdBy\n      createdAt\n    }\n  }\n": typeof types.RecentJobsDocument,
    "\n  query ResizeRequests {\n    resizeRequests {\n      id\n      clusterId\n      clusterName\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      from {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decisionReason\n      job {\n        id\n        status\n      }\n    }\n  }\n": typeof types.ResizeRequestsDocument,
    "\n  mutation ApproveResize($id: ID!) {\n    approveResize(id: $id) {\n      id\n      status\n      job {\n        id\n      }\n    }\n  }\n": typeof types.ApproveResizeDocument,
    "\n  mutation DeclineResize($id: ID!, $reason: String!) {\n    declineResize(id: $id, reason: $reason) {\n      id\n      status\n    }\n  }\n": typeof types.DeclineResizeDocument,
    "\n  query JobPage($id: ID!) {\n    job(id: $id) {\n      id\n      kind\n      clusterId\n      clusterName\n      status\n      stepName\n      percent\n      attempts\n      error\n      createdBy\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n": typeof types.JobPageDocument,
    "\n  subscription JobProgress($jobId: ID!, $after: Int) {\n    jobProgress(jobId: $jobId, after: $after) {\n      seq\n      at\n      step\n      percent\n      level\n      message\n      status\n    }\n  }\n": typeof types.JobProgressDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.CancelJobDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.RetryJobDocument,
    "\n  query OverviewIngress($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      installedVersion\n      status\n      readyReplicas\n      desiredReplicas\n    }\n  }\n": typeof types.OverviewIngressDocument,
    "\n  query OverviewNodes {\n    viewer {\n      id\n      activeCluster {\n        id\n        nodes {\n          name\n          ready\n          roles\n          kubeletVersion\n          vcpu\n          memoryBytes\n          storageBytes\n        }\n      }\n    }\n  }\n": typeof types.OverviewNodesDocument,
    "\n  query Overview {\n    viewer {\n      id\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        wildcardHost\n        healthzURL\n        status\n        createdAt\n        version\n        health {\n          healthy\n          message\n          checkedAt\n        }\n        controlPlaneOnly\n        resizable\n        size {\n          workers\n          workerVcpu\n          workerRamGb\n          workerDiskGb\n          registryDbGb\n        }\n        protectedNamespaces\n        adminRoles {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  query ClusterResizeRequests($clusterId: ID) {\n    resizeRequests(clusterId: $clusterId) {\n      id\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decidedAt\n      decisionReason\n    }\n  }\n": typeof types.ClusterResizeRequestsDocument,
    "\n  mutation RequestResize($input: ResizeInput!) {\n    requestResize(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.RequestResizeDocument,
    "\n  query ServicesAddons($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      description\n      namespace\n      installedVersion\n      latestVersion\n      status\n      readyReplicas\n      desiredReplicas\n      message\n      workloads {\n        kind\n        namespace\n        name\n        readyReplicas\n        desiredReplicas\n        status\n        message\n      }\n    }\n  }\n": typeof types.ServicesAddonsDocument,
    "\n  mutation InstallAddon($input: AddonJobInput!) {\n    installAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": typeof types.InstallAddonDocument,
    "\n  mutation UpgradeAddon($input: AddonJobInput!) {\n    upgradeAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": typeof types.UpgradeAddonDocument,
    "\n  mutation RemoveAddon($clusterId: ID!, $name: String!) {\n    removeAddon(clusterId: $clusterId, name: $name) {\n      id\n      kind\n      status\n    }\n  }\n": typeof types.RemoveAddonDocument,
    "\n  query ServicesPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        services {\n          name\n          url\n          status\n          checkedAt\n        }\n      }\n    }\n  }\n": typeof types.ServicesPageDocument,
    "\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n": typeof types.CreateTokenDocument,
    "\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n": typeof types.DeleteTokenDocument,
    "\n  query TokensPage($first: Int!) {\n    tokenPage(first: $first) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n    clusters {\n      id\n      name\n      apiURL\n      caPEM\n    }\n    settings {\n      webhookCacheSeconds\n      webhookIdentifiesClusters\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n": typeof types.TokensPageDocument,
    "\n  query MoreTokens($first: Int!, $after: String!) {\n    tokenPage(first: $first, after: $after) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n  }\n": typeof types.MoreTokensDocument,
};
const documents: Documents = {
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  query ClusterChoices {\n    clusters {\n      id\n      name\n      status\n    }\n  }\n": types.ClusterChoicesDocument,
    "\n  mutation SelectCluster($id: ID!) {\n    selectCluster(id: $id) {\n      id\n      activeCluster {\n        id\n      }\n    }\n  }\n": types.SelectClusterDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      domain\n      isOperator\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        status\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  query AccessPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        protectedNamespaces\n      }\n    }\n    bindings {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n": types.AccessPageDocument,
    "\n  mutation DeleteBinding($input: DeleteBindingInput!) {\n    deleteBinding(input: $input)\n  }\n": types.DeleteBindingDocument,
    "\n  query BindingOptions($clusterId: ID) {\n    kubernetesRoles(clusterId: $clusterId)\n    emptyKubernetesRoles(clusterId: $clusterId)\n    keystoneRoles(clusterId: $clusterId) {\n      id\n      name\n    }\n  }\n": types.BindingOptionsDocument,
    "\n  mutation CreateBinding($input: CreateBindingInput!) {\n    createBinding(input: $input) {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n": types.CreateBindingDocument,
    "\n  query KeystoneUsers($clusterId: ID, $search: String!, $offset: Int, $limit: Int) {\n    keystoneUsers(clusterId: $clusterId, search: $search, offset: $offset, limit: $limit) {\n      users {\n        id\n        name\n        domain\n        enabled\n        kubernetesUsername\n      }\n      total\n      offset\n      hasMore\n    }\n  }\n": types.KeystoneUsersDocument,
    "\n  query AuditPage($filter: AuditFilter, $first: Int, $before: ID) {\n    auditEntries(filter: $filter, first: $first, before: $before) {\n      entries {\n        id\n        at\n        actorId\n        actorName\n        action\n        clusterId\n        clusterName\n        target\n        result\n        detail\n      }\n      nextBefore\n    }\n  }\n": types.AuditPageDocument,
    "\n  query BackupsPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n      }\n    }\n    backups {\n      veleroInstalled\n      backups {\n        name\n        phase\n        includedNamespaces\n        createdAt\n        startedAt\n        completedAt\n        expiresAt\n        errors\n        warnings\n      }\n      schedules {\n        name\n        schedule\n        phase\n        lastBackupAt\n      }\n      restores {\n        name\n        backupName\n        phase\n        createdAt\n        startedAt\n        completedAt\n      }\n    }\n  }\n": types.BackupsPageDocument,
    "\n  mutation CreateBackup($input: CreateBackupInput!) {\n    createBackup(input: $input) {\n      name\n      phase\n    }\n  }\n": types.CreateBackupDocument,
    "\n  mutation CreateRestore($input: CreateRestoreInput!) {\n    createRestore(input: $input) {\n      name\n      backupName\n      phase\n    }\n  }\n": types.CreateRestoreDocument,
    "\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n": types.LoginDocument,
    "\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n": types.AdoptClusterDocument,
    "\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n": types.ClustersPageDocument,
    "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id) {\n      id\n      kind\n      status\n    }\n  }\n": types.DeleteClusterDocument,
    "\n  mutation ProvisionCluster($input: ProvisionClusterInput!) {\n    provisionCluster(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": types.ProvisionClusterDocument,
    "\n  query ClusterDrivers {\n    clusterDrivers\n  }\n": types.ClusterDriversDocument,
    "\n  query RecentJobs($first: Int) {\n    jobs(first: $first) {\n      id\n      kind\n      status\n      stepName\n      percent\n      createdBy\n      createdAt\n    }\n  }\n": types.RecentJobsDocument,
    "\n  query ResizeRequests {\n    resizeRequests {\n      id\n      clusterId\n      clusterName\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      from {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decisionReason\n      job {\n        id\n        status\n      }\n    }\n  }\n": types.ResizeRequestsDocument,
    "\n  mutation ApproveResize($id: ID!) {\n    approveResize(id: $id) {\n      id\n      status\n      job {\n        id\n      }\n    }\n  }\n": types.ApproveResizeDocument,
    "\n  mutation DeclineResize($id: ID!, $reason: String!) {\n    declineResize(id: $id, reason: $reason) {\n      id\n      status\n    }\n  }\n": types.DeclineResizeDocument,
    "\n  query JobPage($id: ID!) {\n    job(id: $id) {\n      id\n      kind\n      clusterId\n      clusterName\n      status\n      stepName\n      percent\n      attempts\n      error\n      createdBy\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n": types.JobPageDocument,
    "\n  subscription JobProgress($jobId: ID!, $after: Int) {\n    jobProgress(jobId: $jobId, after: $after) {\n      seq\n      at\n      step\n      percent\n      level\n      message\n      status\n    }\n  }\n": types.JobProgressDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      id\n      status\n    }\n  }\n": types.CancelJobDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n    }\n  }\n": types.RetryJobDocument,
    "\n  query OverviewIngress($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      installedVersion\n      status\n      readyReplicas\n      desiredReplicas\n    }\n  }\n": types.OverviewIngressDocument,
    "\n  query OverviewNodes {\n    viewer {\n      id\n      activeCluster {\n        id\n        nodes {\n          name\n          ready\n          roles\n          kubeletVersion\n          vcpu\n          memoryBytes\n          storageBytes\n        }\n      }\n    }\n  }\n": types.OverviewNodesDocument,
    "\n  query Overview {\n    viewer {\n      id\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        wildcardHost\n        healthzURL\n        status\n        createdAt\n        version\n        health {\n          healthy\n          message\n          checkedAt\n        }\n        controlPlaneOnly\n        resizable\n        size {\n          workers\n          workerVcpu\n          workerRamGb\n          workerDiskGb\n          registryDbGb\n        }\n        protectedNamespaces\n        adminRoles {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  query ClusterResizeRequests($clusterId: ID) {\n    resizeRequests(clusterId: $clusterId) {\n      id\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decidedAt\n      decisionReason\n    }\n  }\n": types.ClusterResizeRequestsDocument,
    "\n  mutation RequestResize($input: ResizeInput!) {\n    requestResize(input: $input) {\n      id\n      status\n    }\n  }\n": types.RequestResizeDocument,
    "\n  query ServicesAddons($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      description\n      namespace\n      installedVersion\n      latestVersion\n      status\n      readyReplicas\n      desiredReplicas\n      message\n      workloads {\n        kind\n        namespace\n        name\n        readyReplicas\n        desiredReplicas\n        status\n        message\n      }\n    }\n  }\n": types.ServicesAddonsDocument,
    "\n  mutation InstallAddon($input: AddonJobInput!) {\n    installAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": types.InstallAddonDocument,
    "\n  mutation UpgradeAddon($input: AddonJobInput!) {\n    upgradeAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n": types.UpgradeAddonDocument,
    "\n  mutation RemoveAddon($clusterId: ID!, $name: String!) {\n    removeAddon(clusterId: $clusterId, name: $name) {\n      id\n      kind\n      status\n    }\n  }\n": types.RemoveAddonDocument,
    "\n  query ServicesPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        services {\n          name\n          url\n          status\n          checkedAt\n        }\n      }\n    }\n  }\n": types.ServicesPageDocument,
    "\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n": types.CreateTokenDocument,
    "\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n": types.DeleteTokenDocument,
    "\n  query TokensPage($first: Int!) {\n    tokenPage(first: $first) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n    clusters {\n      id\n      name\n      apiURL\n      caPEM\n    }\n    settings {\n      webhookCacheSeconds\n      webhookIdentifiesClusters\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n": types.TokensPageDocument,
    "\n  query MoreTokens($first: Int!, $after: String!) {\n    tokenPage(first: $first, after: $after) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n  }\n": types.MoreTokensDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClusterChoices {\n    clusters {\n      id\n      name\n      status\n    }\n  }\n"): (typeof documents)["\n  query ClusterChoices {\n    clusters {\n      id\n      name\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SelectCluster($id: ID!) {\n    selectCluster(id: $id) {\n      id\n      activeCluster {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SelectCluster($id: ID!) {\n    selectCluster(id: $id) {\n      id\n      activeCluster {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      name\n      domain\n      isOperator\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      name\n      domain\n      isOperator\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccessPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        protectedNamespaces\n      }\n    }\n    bindings {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query AccessPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        protectedNamespaces\n      }\n    }\n    bindings {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteBinding($input: DeleteBindingInput!) {\n    deleteBinding(input: $input)\n  }\n"): (typeof documents)["\n  mutation DeleteBinding($input: DeleteBindingInput!) {\n    deleteBinding(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BindingOptions($clusterId: ID) {\n    kubernetesRoles(clusterId: $clusterId)\n    emptyKubernetesRoles(clusterId: $clusterId)\n    keystoneRoles(clusterId: $clusterId) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query BindingOptions($clusterId: ID) {\n    kubernetesRoles(clusterId: $clusterId)\n    emptyKubernetesRoles(clusterId: $clusterId)\n    keystoneRoles(clusterId: $clusterId) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateBinding($input: CreateBindingInput!) {\n    createBinding(input: $input) {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateBinding($input: CreateBindingInput!) {\n    createBinding(input: $input) {\n      id\n      name\n      namespace\n      roleKind\n      roleName\n      subjects {\n        kind\n        id\n        name\n        domain\n        keystoneId\n      }\n      protected\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KeystoneUsers($clusterId: ID, $search: String!, $offset: Int, $limit: Int) {\n    keystoneUsers(clusterId: $clusterId, search: $search, offset: $offset, limit: $limit) {\n      users {\n        id\n        name\n        domain\n        enabled\n        kubernetesUsername\n      }\n      total\n      offset\n      hasMore\n    }\n  }\n"): (typeof documents)["\n  query KeystoneUsers($clusterId: ID, $search: String!, $offset: Int, $limit: Int) {\n    keystoneUsers(clusterId: $clusterId, search: $search, offset: $offset, limit: $limit) {\n      users {\n        id\n        name\n        domain\n        enabled\n        kubernetesUsername\n      }\n      total\n      offset\n      hasMore\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditPage($filter: AuditFilter, $first: Int, $before: ID) {\n    auditEntries(filter: $filter, first: $first, before: $before) {\n      entries {\n        id\n        at\n        actorId\n        actorName\n        action\n        clusterId\n        clusterName\n        target\n        result\n        detail\n      }\n      nextBefore\n    }\n  }\n"): (typeof documents)["\n  query AuditPage($filter: AuditFilter, $first: Int, $before: ID) {\n    auditEntries(filter: $filter, first: $first, before: $before) {\n      entries {\n        id\n        at\n        actorId\n        actorName\n        action\n        clusterId\n        clusterName\n        target\n        result\n        detail\n      }\n      nextBefore\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BackupsPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n      }\n    }\n    backups {\n      veleroInstalled\n      backups {\n        name\n        phase\n        includedNamespaces\n        createdAt\n        startedAt\n        completedAt\n        expiresAt\n        errors\n        warnings\n      }\n      schedules {\n        name\n        schedule\n        phase\n        lastBackupAt\n      }\n      restores {\n        name\n        backupName\n        phase\n        createdAt\n        startedAt\n        completedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query BackupsPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n      }\n    }\n    backups {\n      veleroInstalled\n      backups {\n        name\n        phase\n        includedNamespaces\n        createdAt\n        startedAt\n        completedAt\n        expiresAt\n        errors\n        warnings\n      }\n      schedules {\n        name\n        schedule\n        phase\n        lastBackupAt\n      }\n      restores {\n        name\n        backupName\n        phase\n        createdAt\n        startedAt\n        completedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateBackup($input: CreateBackupInput!) {\n    createBackup(input: $input) {\n      name\n      phase\n    }\n  }\n"): (typeof documents)["\n  mutation CreateBackup($input: CreateBackupInput!) {\n    createBackup(input: $input) {\n      name\n      phase\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRestore($input: CreateRestoreInput!) {\n    createRestore(input: $input) {\n      name\n      backupName\n      phase\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRestore($input: CreateRestoreInput!) {\n    createRestore(input: $input) {\n      name\n      backupName\n      phase\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id) {\n      id\n      kind\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id) {\n      id\n      kind\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProvisionCluster($input: ProvisionClusterInput!) {\n    provisionCluster(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ProvisionCluster($input: ProvisionClusterInput!) {\n    provisionCluster(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClusterDrivers {\n    clusterDrivers\n  }\n"): (typeof documents)["\n  query ClusterDrivers {\n    clusterDrivers\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecentJobs($first: Int) {\n    jobs(first: $first) {\n      id\n      kind\n      status\n      stepName\n      percent\n      createdBy\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query RecentJobs($first: Int) {\n    jobs(first: $first) {\n      id\n      kind\n      status\n      stepName\n      percent\n      createdBy\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResizeRequests {\n    resizeRequests {\n      id\n      clusterId\n      clusterName\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      from {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decisionReason\n      job {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query ResizeRequests {\n    resizeRequests {\n      id\n      clusterId\n      clusterName\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      from {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n        registryDbGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decisionReason\n      job {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveResize($id: ID!) {\n    approveResize(id: $id) {\n      id\n      status\n      job {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveResize($id: ID!) {\n    approveResize(id: $id) {\n      id\n      status\n      job {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeclineResize($id: ID!, $reason: String!) {\n    declineResize(id: $id, reason: $reason) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation DeclineResize($id: ID!, $reason: String!) {\n    declineResize(id: $id, reason: $reason) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobPage($id: ID!) {\n    job(id: $id) {\n      id\n      kind\n      clusterId\n      clusterName\n      status\n      stepName\n      percent\n      attempts\n      error\n      createdBy\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n"): (typeof documents)["\n  query JobPage($id: ID!) {\n    job(id: $id) {\n      id\n      kind\n      clusterId\n      clusterName\n      status\n      stepName\n      percent\n      attempts\n      error\n      createdBy\n      createdAt\n      startedAt\n      finishedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobProgress($jobId: ID!, $after: Int) {\n    jobProgress(jobId: $jobId, after: $after) {\n      seq\n      at\n      step\n      percent\n      level\n      message\n      status\n    }\n  }\n"): (typeof documents)["\n  subscription JobProgress($jobId: ID!, $after: Int) {\n    jobProgress(jobId: $jobId, after: $after) {\n      seq\n      at\n      step\n      percent\n      level\n      message\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverviewIngress($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      installedVersion\n      status\n      readyReplicas\n      desiredReplicas\n    }\n  }\n"): (typeof documents)["\n  query OverviewIngress($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      installedVersion\n      status\n      readyReplicas\n      desiredReplicas\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverviewNodes {\n    viewer {\n      id\n      activeCluster {\n        id\n        nodes {\n          name\n          ready\n          roles\n          kubeletVersion\n          vcpu\n          memoryBytes\n          storageBytes\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OverviewNodes {\n    viewer {\n      id\n      activeCluster {\n        id\n        nodes {\n          name\n          ready\n          roles\n          kubeletVersion\n          vcpu\n          memoryBytes\n          storageBytes\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview {\n    viewer {\n      id\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        wildcardHost\n        healthzURL\n        status\n        createdAt\n        version\n        health {\n          healthy\n          message\n          checkedAt\n        }\n        controlPlaneOnly\n        resizable\n        size {\n          workers\n          workerVcpu\n          workerRamGb\n          workerDiskGb\n          registryDbGb\n        }\n        protectedNamespaces\n        adminRoles {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Overview {\n    viewer {\n      id\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        wildcardHost\n        healthzURL\n        status\n        createdAt\n        version\n        health {\n          healthy\n          message\n          checkedAt\n        }\n        controlPlaneOnly\n        resizable\n        size {\n          workers\n          workerVcpu\n          workerRamGb\n          workerDiskGb\n          registryDbGb\n        }\n        protectedNamespaces\n        adminRoles {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClusterResizeRequests($clusterId: ID) {\n    resizeRequests(clusterId: $clusterId) {\n      id\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decidedAt\n      decisionReason\n    }\n  }\n"): (typeof documents)["\n  query ClusterResizeRequests($clusterId: ID) {\n    resizeRequests(clusterId: $clusterId) {\n      id\n      status\n      size {\n        workers\n        workerVcpu\n        workerRamGb\n        workerDiskGb\n      }\n      reason\n      requestedBy\n      createdAt\n      decidedBy\n      decidedAt\n      decisionReason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestResize($input: ResizeInput!) {\n    requestResize(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation RequestResize($input: ResizeInput!) {\n    requestResize(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServicesAddons($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      description\n      namespace\n      installedVersion\n      latestVersion\n      status\n      readyReplicas\n      desiredReplicas\n      message\n      workloads {\n        kind\n        namespace\n        name\n        readyReplicas\n        desiredReplicas\n        status\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query ServicesAddons($clusterId: ID!) {\n    addons(clusterId: $clusterId) {\n      name\n      description\n      namespace\n      installedVersion\n      latestVersion\n      status\n      readyReplicas\n      desiredReplicas\n      message\n      workloads {\n        kind\n        namespace\n        name\n        readyReplicas\n        desiredReplicas\n        status\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InstallAddon($input: AddonJobInput!) {\n    installAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation InstallAddon($input: AddonJobInput!) {\n    installAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpgradeAddon($input: AddonJobInput!) {\n    upgradeAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation UpgradeAddon($input: AddonJobInput!) {\n    upgradeAddon(input: $input) {\n      id\n      kind\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveAddon($clusterId: ID!, $name: String!) {\n    removeAddon(clusterId: $clusterId, name: $name) {\n      id\n      kind\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveAddon($clusterId: ID!, $name: String!) {\n    removeAddon(clusterId: $clusterId, name: $name) {\n      id\n      kind\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServicesPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        services {\n          name\n          url\n          status\n          checkedAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ServicesPage {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        services {\n          name\n          url\n          status\n          checkedAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TokensPage($first: Int!) {\n    tokenPage(first: $first) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n    clusters {\n      id\n      name\n      apiURL\n      caPEM\n    }\n    settings {\n      webhookCacheSeconds\n      webhookIdentifiesClusters\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n"): (typeof documents)["\n  query TokensPage($first: Int!) {\n    tokenPage(first: $first) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n    clusters {\n      id\n      name\n      apiURL\n      caPEM\n    }\n    settings {\n      webhookCacheSeconds\n      webhookIdentifiesClusters\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MoreTokens($first: Int!, $after: String!) {\n    tokenPage(first: $first, after: $after) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n  }\n"): (typeof documents)["\n  query MoreTokens($first: Int!, $after: String!) {\n    tokenPage(first: $first, after: $after) {\n      tokens {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n      nextAfter\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;