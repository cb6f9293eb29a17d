/**
 * The security of medpipe's own API ({@code /api/**}), internal to serving: deny by default, the access table of its
 * routes ({@link io.medpipe.serving.security.ApiRoutes}), API keys per client and role stored as hashes ({@link
 * io.medpipe.serving.security.ApiKeys}), a Cockpit/Tasklist login for the reviewers' reports, the body limit and the
 * OpenAPI document. Camunda's own REST API and web apps are guarded in {@code system}.
 */
package io.medpipe.serving.security;
