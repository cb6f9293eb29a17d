/**
 * What every feature stands on: medpipe's general settings ({@link io.medpipe.system.MedpipeProperties}; each feature
 * keeps its own settings record) and the secrets of demo mode, the database (an external PostgreSQL, or the embedded
 * one with its guards and crash recovery), owner-only files, the security of Camunda's REST API and web apps (HTTP
 * Basic, login throttle, the management port), and RFC 9457 problem+json for every error answer. It depends on no
 * other feature.
 */
package io.medpipe.system;
