// Registry HTTP API v2 client and credentials (docs/oci-registry.md). No knowledge of the store.
export { RegistryClient, MANIFEST_ACCEPT, type RegistryClientOptions, type ClientStats, type PushResult, type BlobUploadStatus } from './client';
export { RegistryError, parseErrorBody, type RegistryErrorInit } from './errors';
export { Credentials, CredentialsFile, registryKey } from './credentials';
export { parseChallenges, repositoryScope, type Challenge } from './auth';
export { parseReference, familiarName, formatReference, isValidRepository, isValidTag, DEFAULT_REGISTRY, DOCKER_HUB_API, type ImageReference } from './reference';
