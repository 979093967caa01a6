// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.exec;

import dev.ccx.protocol.ErrorCode;
import dev.ccx.protocol.ExecuteParams;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides what an {@code execute} request runs: with which shell, in which directory, with which environment, and
 * whether the allow-list lets it run at all.
 *
 * <p>With {@code ALLOWED_COMMANDS} set, nothing reaches a shell: {@code argv} requests run as given, and a command
 * string is accepted only if it has no shell syntax at all, in which case it is split on whitespace and run as argv.
 * The program must equal an allowed name exactly. The request may then not change {@code PATH}, the dynamic loader
 * ({@code LD_*}) or shell start-up variables, any of which would run a different program under an allowed name.
 */
public final class CommandPolicy {
    private static final Pattern SHELL_SYNTAX = Pattern.compile("[;&|<>()$`\\\\\"'*?\\[\\]{}~!#\\n\\r]");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String shell;
    private final Set<String> allowed;
    private final Map<String, String> baseEnv;
    private final Path defaultCwd;

    /**
     * @param shell      absolute path of the shell for command strings
     * @param allowed    allowed program names; empty means everything is allowed
     * @param serverEnv  the server's environment, the base of every child's
     * @param defaultCwd directory used when a request names none
     */
    public CommandPolicy(String shell, Set<String> allowed, Map<String, String> serverEnv, Path defaultCwd) {
        this.shell = shell;
        this.allowed = Set.copyOf(allowed);
        this.baseEnv = childBase(serverEnv);
        this.defaultCwd = defaultCwd;
    }

    /** Checks a request and turns it into something that can be spawned. */
    public LaunchPlan plan(ExecuteParams p) {
        List<String> argv = argv(p);
        Map<String, String> env = new HashMap<>(baseEnv);
        if (p.env() != null) {
            p.env().keySet().forEach(this::checkEnvKey);
            env.putAll(p.env());
        }
        Path cwd = p.cwd() == null ? defaultCwd : defaultCwd.resolve(p.cwd());
        if (!Files.isDirectory(cwd)) {
            throw new ExecException(ErrorCode.INVALID_PARAMS, "params.cwd: " + cwd + " is not a directory");
        }
        Path program = resolve(argv.getFirst(), cwd, env.getOrDefault("PATH", ""));
        String display = p.command() != null ? p.command() : String.join(" ", argv);
        return new LaunchPlan(program, List.copyOf(argv), cwd, Map.copyOf(env), display,
                Durations.ofSecondsOrNull(p.timeout()), Durations.ofSecondsOrNull(p.idleTimeout()), null, null, null,
                Boolean.TRUE.equals(p.stdin()), p.command() != null);
    }

    private List<String> argv(ExecuteParams p) {
        if (p.command() != null) {
            if (allowed.isEmpty()) {
                return List.of(shell, "-c", p.command());
            }
            var m = SHELL_SYNTAX.matcher(p.command());
            if (m.find()) {
                throw new ExecException(ErrorCode.COMMAND_NOT_ALLOWED, "Shell syntax ('" + m.group()
                        + "') is not allowed while ALLOWED_COMMANDS is set; send argv or a plain command");
            }
            List<String> words = List.of(WHITESPACE.split(p.command().strip()));
            return checkAllowed(words);
        }
        return allowed.isEmpty() ? p.argv() : checkAllowed(p.argv());
    }

    private List<String> checkAllowed(List<String> argv) {
        String program = argv.getFirst();
        if (!allowed.contains(program)) {
            throw new ExecException(ErrorCode.COMMAND_NOT_ALLOWED, "Command '" + program + "' is not allowed",
                    Map.of("program", program, "allowed", List.copyOf(allowed)));
        }
        return argv;
    }

    private void checkEnvKey(String key) {
        if (allowed.isEmpty()) {
            return;
        }
        String k = key.toUpperCase(Locale.ROOT);
        if (k.equals("PATH") || k.startsWith("LD_") || k.equals("BASH_ENV") || k.equals("ENV")
                || k.startsWith("BASH_FUNC_") || k.equals("SHELLOPTS") || k.equals("PS4")) {
            throw new ExecException(ErrorCode.COMMAND_NOT_ALLOWED,
                    "params.env." + key + " may not be set while ALLOWED_COMMANDS is set");
        }
    }

    /**
     * {@code program} as the child's {@code execvp} would find it: a name with a slash relative to the working
     * directory, anything else in the first directory of the child's {@code PATH} (relative entries, and the empty
     * one, relative to the working directory) that holds an executable file of that name.
     */
    private static Path resolve(String program, Path cwd, String path) {
        if (program.contains("/")) {
            Path file = cwd.resolve(program);
            if (!Files.isExecutable(file) || Files.isDirectory(file)) {
                throw notFound(program, "is not an executable file");
            }
            return file.toAbsolutePath();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = cwd.resolve(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw notFound(program, "was not found on PATH");
    }

    private static ExecException notFound(String program, String what) {
        return new ExecException(ErrorCode.SPAWN_FAILED, "Program '" + program + "' " + what,
                Map.of("program", program));
    }

    private static Map<String, String> childBase(Map<String, String> serverEnv) {
        Map<String, String> env = new HashMap<>(serverEnv);
        // The server's own secret is not the commands' business.
        env.remove("CCX_TOKEN");
        // An empty key makes the Claude CLI fail instead of using its login; the original removed it too.
        if (env.getOrDefault("ANTHROPIC_API_KEY", "x").isEmpty()) {
            env.remove("ANTHROPIC_API_KEY");
        }
        env.put("PYTHONUNBUFFERED", "1");
        env.put("NODE_NO_READLINE", "1");
        return env;
    }

    /** Resolves {@code CC_EXECUTOR_SHELL}: bash (default), zsh, sh/default, or an absolute path; else /bin/sh. */
    public static String resolveShell(String setting) {
        String name = setting == null || setting.isBlank() ? "bash" : setting.strip();
        if (name.startsWith("/")) {
            return Files.isExecutable(Path.of(name)) ? name : "/bin/sh";
        }
        if (name.equals("sh") || name.equals("default")) {
            return "/bin/sh";
        }
        for (String dir : List.of("/bin", "/usr/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "/bin/sh";
    }

    /** Parses the comma-separated {@code ALLOWED_COMMANDS} value. */
    public static Set<String> parseAllowList(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        List<String> names = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                names.add(s.strip());
            }
        }
        return Set.copyOf(names);
    }
}
