/**
 * The model registry: immutable model versions with their lineage (training run, snapshot, dataset hash, code
 * version, artifact checksum), their stage (staging, production, archived, rejected) with its history and read access for reviewers
 * and auditors ({@code /api/v1/models}). A version points at the artifact its training run stored; the registry
 * verifies it on load and never writes model bytes of its own.
 */
package io.medpipe.registry;
