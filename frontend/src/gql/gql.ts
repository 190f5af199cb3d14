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
    "\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n": typeof types.AdoptClusterDocument,
    "\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n": typeof types.ClustersPageDocument,
    "\n  query Overview {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        status\n        createdAt\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n": typeof types.CreateTokenDocument,
    "\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n": typeof types.DeleteTokenDocument,
    "\n  query TokensPage {\n    tokens {\n      id\n      name\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n      lastUsedCluster\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n": typeof types.TokensPageDocument,
};
const documents: Documents = {
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  query ClusterChoices {\n    clusters {\n      id\n      name\n      status\n    }\n  }\n": types.ClusterChoicesDocument,
    "\n  mutation SelectCluster($id: ID!) {\n    selectCluster(id: $id) {\n      id\n      activeCluster {\n        id\n      }\n    }\n  }\n": types.SelectClusterDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      domain\n      isOperator\n      isClusterAdmin\n      activeCluster {\n        id\n        name\n        status\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation Login($username: String!, $password: String!, $domain: String) {\n    login(username: $username, password: $password, domain: $domain) {\n      id\n      name\n    }\n  }\n": types.LoginDocument,
    "\n  mutation AdoptCluster($input: AdoptClusterInput!) {\n    adoptCluster(input: $input) {\n      id\n      name\n      status\n    }\n  }\n": types.AdoptClusterDocument,
    "\n  query ClustersPage {\n    clusters {\n      id\n      name\n      baseDomain\n      apiURL\n      status\n      createdAt\n    }\n  }\n": types.ClustersPageDocument,
    "\n  query Overview {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        status\n        createdAt\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  mutation CreateToken($input: CreateTokenInput!) {\n    createToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n        lastUsedCluster\n      }\n    }\n  }\n": types.CreateTokenDocument,
    "\n  mutation DeleteToken($id: ID!) {\n    deleteToken(id: $id)\n  }\n": types.DeleteTokenDocument,
    "\n  query TokensPage {\n    tokens {\n      id\n      name\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n      lastUsedCluster\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n": types.TokensPageDocument,
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
export function graphql(source: "\n  query Overview {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        status\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Overview {\n    viewer {\n      id\n      activeCluster {\n        id\n        name\n        baseDomain\n        apiURL\n        status\n        createdAt\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  query TokensPage {\n    tokens {\n      id\n      name\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n      lastUsedCluster\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n"): (typeof documents)["\n  query TokensPage {\n    tokens {\n      id\n      name\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n      lastUsedCluster\n    }\n    viewer {\n      id\n      name\n      activeCluster {\n        id\n        name\n        apiURL\n        caPEM\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;