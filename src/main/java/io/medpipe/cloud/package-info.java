/**
 * Google Cloud: what the {@code gcp} profile adds to medpipe (docs/gcp.md). Cloud SQL through the Java connector
 * ({@link io.medpipe.cloud.CloudSqlEnvironment}), log lines in the JSON Cloud Logging reads
 * ({@link io.medpipe.cloud.CloudLoggingFormat}) with the load balancer's trace id
 * ({@link io.medpipe.cloud.TraceContextFilter}). GCS artifacts live in {@code registry}; secrets arrive as files from
 * Secret Manager's CSI driver and are read by Spring Boot's config tree, with no code here.
 */
package io.medpipe.cloud;
