// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start.
 *
 * @param program the executable, resolved on the child's {@code PATH} to an absolute path
 * @param argv    the arguments, {@code argv[0]} included (as the client gave it)
 * @param cwd     the working directory
 * @param env     the child's whole environment
 * @param stdin   {@code true} for a pipe as stdin, {@code false} for {@code /dev/null}
 */
public record SpawnRequest(Path program, List<String> argv, Path cwd, Map<String, String> env, boolean stdin) {
}
