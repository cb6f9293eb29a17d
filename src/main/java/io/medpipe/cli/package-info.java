/**
 * medpipe's command line ({@link io.medpipe.cli.MedpipeCli}): the same jar with a command as its first argument.
 * {@code evaluate} and {@code import} run in-process on a table or database; {@code pipeline} and {@code tasks} talk
 * to a running medpipe through the engine's REST API. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
package io.medpipe.cli;
