// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a program in a new session and process group via util-linux {@code setsid}, with stdin from
 * {@code /dev/null} (CLIs such as {@code claude} otherwise wait for input) and both output pipes open.
 *
 * <p>The JDK's child is never a group leader, so {@code setsid} calls {@code setsid(2)} and then execs the program
 * without forking: the returned pid is the program's own, and it is also the new pgid (measured, STYLE.md).
 */
public final class Spawner {
    private static final File DEV_NULL = new File("/dev/null");
    private final Path setsid;

    private Spawner(Path setsid) {
        this.setsid = setsid;
    }

    /** Finds {@code setsid} on the system, failing with a message that says what is missing. */
    public static Spawner locate() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return new Spawner(candidate);
            }
        }
        throw new IllegalStateException("setsid (util-linux) was not found in /usr/bin, /bin or /usr/local/bin; "
                + "ccx needs it to give every command its own process group");
    }

    /**
     * Starts {@code argv} in {@code cwd} with exactly {@code env} as its environment.
     *
     * @throws IOException when the process cannot be created
     */
    public Process spawn(List<String> argv, Path cwd, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(argv.size() + 1);
        command.add(setsid.toString());
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        Map<String, String> childEnv = builder.environment();
        childEnv.clear();
        childEnv.putAll(env);
        return builder.start();
    }
}
