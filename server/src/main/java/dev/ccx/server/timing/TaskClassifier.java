// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which {@link TaskKey} a command is, so that runs of the same kind of task share one history. A key must
 * be coarse enough that history accumulates (so {@code sleep 5} and {@code sleep 10} are the same task) and fine
 * enough that the runs in it take similar times (so {@code git status} and {@code git clone} are not).
 *
 * <p>Pure and fast: no I/O, no clock, linear in the input. It never throws; anything unexpected gives
 * {@code cmd:unknown}. Every part of the result matches {@code [a-z0-9_.-]}: other characters become {@code -},
 * upper case is folded, and each part is capped at 64 characters.
 *
 * <h2>Scheme</h2>
 * <ol>
 *   <li><b>Inline tags</b> {@code [category:x]} and {@code [task:y]} anywhere in the text (regex
 *       {@code \[(\w+):([\w.-]+)\]}, as in the original, plus {@code .} and {@code -}) override the category and
 *       the name. The last tag of each kind wins, as in the original's {@code dict(re.findall(...))}. A part without
 *       a tag comes from the classification below, so {@code [category:review]} alone keeps the computed name.
 *       Other tag names ({@code complexity}, {@code type}) are ignored: they do not change how long a run takes.</li>
 *   <li><b>Which command.</b> A shell string is split into simple commands at {@code ;}, {@code &&}, {@code ||},
 *       {@code |}, {@code &}, parentheses and newlines, with a small splitter that understands single and double
 *       quotes, backslashes, {@code $(...)}, backquotes, comments, redirections (their targets are dropped) and
 *       here-documents. The key is that of the first Claude Code invocation anywhere in the line, because it
 *       dominates the run time ({@code cat prompt.txt | claude -p}); otherwise of the first simple command that is
 *       not set-up ({@code cd}, {@code export}, {@code source}, {@code [ ... ]}, a {@code for} head, ...), because
 *       {@code cd repo && npm test} is an {@code npm test}; otherwise of the first command. Only the first 1,000
 *       simple commands are looked at.</li>
 *   <li><b>The program</b> is the base name of the first word after leading {@code VAR=value} assignments and
 *       wrappers that only change how a program runs: {@code env}, {@code stdbuf}, {@code timeout N},
 *       {@code nice}, {@code nohup}, {@code time}, {@code sudo}, {@code exec}, {@code command}, {@code ionice},
 *       {@code taskset}, {@code unbuffer} (with their options), so {@code stdbuf -o0 -e0 claude ...} is
 *       {@code claude}.</li>
 *   <li><b>Claude Code</b> ({@code claude} with {@code -p} or {@code --print}): category {@code claude}, name
 *       {@code KIND_SIZE[_MODEL]}. The prompt is the positional arguments (those that are not options or option
 *       values), joined by spaces; usually that is the one argument after {@code -p}. Without one, the prompt of a
 *       here-document or here-string is used, and failing that the name is {@code stdin[_MODEL]}. Inline tags
 *       are removed from the prompt first.
 *       <ul>
 *         <li>KIND, first rule that matches, on whole lower-case words of the prompt's first 64 KiB:
 *             {@code analysis} (analyze, review, audit, assess, evaluate, critique, inspect, summarize, compare,
 *             investigate, diagnose, research; or explain/describe together with a code noun); {@code code} (implement,
 *             refactor, fix, debug, compile, optimize, or a code noun: code, function, class, method, script,
 *             program, module, algorithm, api, endpoint, bug, test, regex, snippet, library, cli, repo...);
 *             {@code creative} (story, poem, haiku, limerick, sonnet, lyrics, song, fiction, novel, essay,
 *             joke...); {@code data} (parse, extract, convert, transform, json, csv, xml, yaml, dataset...);
 *             {@code question} (first word what/why/how/when/where/which/who/is/are/can/does/should/explain/
 *             describe/define..., or the prompt ends with {@code ?}); else {@code general}. Code comes before
 *             creative and question because "write a function" and "how do I implement X?" produce code, which
 *             is what makes a run long. Language names (python, rust) are not code words: "what is Python?" is a
 *             question.</li>
 *         <li>SIZE, by the prompt's length in code points: {@code xs} &lt; 100, {@code s} &lt; 500, {@code m}
 *             &lt; 2,000, {@code l} &lt; 10,000, else {@code xl}. A longer prompt carries more context to read
 *             and usually asks for more.</li>
 *         <li>MODEL, only when {@code --model} is given: {@code opus}, {@code sonnet} or {@code haiku} when the
 *             model name contains that word, else nothing. Models of different sizes answer at very different
 *             speeds, so their runs should not share a history; the unknown rest keep the default model's key.
 *             </li>
 *       </ul></li>
 *   <li><b>Other commands</b>: category {@code cmd}, name = the program, plus
 *       <ul>
 *         <li>for programs with subcommands (git, npm, yarn, pnpm, npx, mvn, gradle, docker, kubectl, cargo, go,
 *             make, pip, uv, poetry, terraform, helm, systemctl, apt, dotnet, bundle, rake, redis-cli...) the first
 *             argument that is a word, after options (and the values of options known to take one), numbers and
 *             {@code NAME=value}. If that argument is a path or free text, nothing is added. A few subcommands
 *             that run something else ({@code npm run}, {@code uv run}, {@code bundle exec},
 *             {@code docker compose}, {@code go mod}...) add one more word, since {@code npm run build} and
 *             {@code npm run lint} are different tasks;</li>
 *         <li>for interpreters (python*, pypy*, node, ruby, perl, java) the script's base name, the module of
 *             {@code -m} (java: {@code -jar}'s base name or {@code -m}'s module), or {@code inline} for
 *             {@code -c}/{@code -e} code;</li>
 *         <li>shells (sh, bash, zsh, dash, ksh) are wrappers: {@code bash -c 'STRING'} is classified as STRING
 *             (three levels deep at most, then {@code bash_inline}), and {@code bash deploy.sh} is
 *             {@code bash_deploy.sh}.</li>
 *       </ul>
 *       Every other argument (numbers, paths, flags, free text) is dropped, so {@code git commit -m "x"} and
 *       {@code git commit -am y} are both {@code git_commit}, and {@code pytest -k foo} is {@code pytest}.</li>
 * </ol>
 * Parts are joined with {@code _}; the name is capped at 64 characters.
 */
public final class TaskClassifier {
    private static final TaskKey FALLBACK = new TaskKey("cmd", "unknown");
    private static final Pattern TAG = Pattern.compile("\\[(\\w+):([\\w.-]+)\\]");
    private static final int MAX_PART = 64;
    private static final int MAX_SHELL_DEPTH = 3;
    /** Keyword analysis reads this much of a prompt: the instruction is at its start, pasted material follows. */
    private static final int MAX_PROMPT_SCAN = 64 * 1024;

    /** How a wrapper's own options look, so that the wrapped program can be found after them. */
    private record Wrapper(Set<String> valueOptions, int operands, boolean assignments) {
    }

    private static final Map<String, Wrapper> WRAPPERS = Map.ofEntries(
            Map.entry("env", new Wrapper(Set.of("-u", "--unset", "-C", "--chdir", "-S", "--split-string"), 0, true)),
            Map.entry("stdbuf", new Wrapper(Set.of("-i", "-o", "-e"), 0, false)),
            Map.entry("timeout", new Wrapper(Set.of("-s", "--signal", "-k", "--kill-after"), 1, false)),
            Map.entry("nice", new Wrapper(Set.of("-n", "--adjustment"), 0, false)),
            Map.entry("nohup", new Wrapper(Set.of(), 0, false)),
            Map.entry("time", new Wrapper(Set.of("-f", "--format", "-o", "--output"), 0, false)),
            Map.entry("sudo", new Wrapper(Set.of("-u", "-g", "-C", "-D", "-p", "-r", "-t", "-U", "-T"), 0, true)),
            Map.entry("exec", new Wrapper(Set.of("-a"), 0, false)),
            Map.entry("command", new Wrapper(Set.of(), 0, false)),
            Map.entry("ionice", new Wrapper(Set.of("-c", "-n", "--class", "--classdata"), 0, false)),
            Map.entry("taskset", new Wrapper(Set.of(), 1, false)),
            Map.entry("unbuffer", new Wrapper(Set.of(), 0, false)));

    /** Shell words that may precede a program without being one. */
    private static final Set<String> RESERVED = Set.of("!", "{", "if", "then", "else", "elif", "do", "while", "until");

    /** Commands that prepare for the task rather than being it. */
    private static final Set<String> SETUP = Set.of("cd", "pushd", "popd", "export", "source", ".", "set", "unset",
            "umask", "alias", "unalias", "shopt", "true", ":", "[", "[[", "test", "fi", "done", "esac", "}", "local",
            "declare", "typeset", "readonly", "ulimit", "trap", "hash", "for", "case", "select", "function");

    /** Programs whose first word argument is a subcommand, with the options that take a separate value. */
    private static final Map<String, Set<String>> SUBCOMMANDS = Map.ofEntries(
            Map.entry("git", Set.of("-C", "-c", "--git-dir", "--work-tree", "--namespace")),
            Map.entry("npm", Set.of("--prefix", "-w", "--workspace")),
            Map.entry("npx", Set.of("-p", "--package", "-c", "--call")),
            Map.entry("yarn", Set.of("--cwd")),
            Map.entry("pnpm", Set.of("-C", "--dir", "-F", "--filter")),
            Map.entry("mvn", Set.of("-f", "--file", "-pl", "--projects", "-P", "--activate-profiles", "-s",
                    "--settings", "-gs", "--global-settings", "-T", "--threads", "-rf", "--resume-from", "-D",
                    "-l", "--log-file", "-t", "--toolchains")),
            Map.entry("mvnw", Set.of("-f", "--file", "-pl", "--projects", "-P", "-s", "-T", "-rf", "-D")),
            Map.entry("gradle", Set.of("-p", "--project-dir", "-b", "--build-file", "-c", "-I", "--init-script",
                    "-x", "--exclude-task", "-g", "--gradle-user-home", "-D", "-P")),
            Map.entry("gradlew", Set.of("-p", "--project-dir", "-b", "-c", "-I", "-x", "--exclude-task", "-D", "-P")),
            Map.entry("docker", Set.of("-H", "--host", "-c", "--context", "--config", "-l", "--log-level")),
            Map.entry("podman", Set.of("--url", "-c", "--connection", "--log-level")),
            Map.entry("kubectl", Set.of("-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user",
                    "-s", "--server")),
            Map.entry("helm", Set.of("-n", "--namespace", "--kube-context", "--kubeconfig")),
            Map.entry("cargo", Set.of("-C", "--config", "-Z")),
            Map.entry("go", Set.of("-C")),
            Map.entry("make", Set.of("-C", "--directory", "-f", "--file", "--makefile", "-I", "--include-dir", "-o",
                    "-W", "-l")),
            Map.entry("gmake", Set.of("-C", "--directory", "-f", "--file", "-I", "-o", "-W", "-l")),
            Map.entry("pip", Set.of("--python", "--proxy", "--log", "--cache-dir")),
            Map.entry("pip3", Set.of("--python", "--proxy", "--log", "--cache-dir")),
            Map.entry("uv", Set.of("--directory", "--project", "--python", "-p", "--with", "--package", "--extra",
                    "--group", "--env-file", "--index", "--cache-dir")),
            Map.entry("poetry", Set.of("-C", "--directory", "-P", "--project")),
            Map.entry("pipenv", Set.of("--python")),
            Map.entry("terraform", Set.of()),
            Map.entry("tofu", Set.of()),
            Map.entry("helmfile", Set.of("-f", "--file", "-e", "--environment")),
            Map.entry("systemctl", Set.of("-H", "--host", "-M", "--machine")),
            Map.entry("journalctl", Set.of()),
            Map.entry("apt", Set.of("-o", "--option", "-c", "--config-file", "-t", "--target-release")),
            Map.entry("apt-get", Set.of("-o", "--option", "-c", "--config-file", "-t", "--target-release")),
            Map.entry("brew", Set.of()),
            Map.entry("dotnet", Set.of()),
            Map.entry("bundle", Set.of("--gemfile")),
            Map.entry("rake", Set.of("-f", "--rakefile", "-C", "--directory", "-I", "--libdir", "-r", "--require")),
            Map.entry("redis-cli", Set.of("-h", "-p", "-a", "-n", "-u", "-s", "--user", "--pass", "-r", "-i", "-d")),
            Map.entry("gh", Set.of("-R", "--repo")),
            Map.entry("conda", Set.of()),
            Map.entry("bun", Set.of("--cwd")),
            Map.entry("deno", Set.of()),
            Map.entry("swift", Set.of()),
            Map.entry("aws", Set.of("--profile", "--region", "--output", "--endpoint-url")),
            Map.entry("gcloud", Set.of("--project", "--account", "--configuration")),
            Map.entry("az", Set.of()),
            Map.entry("ansible-galaxy", Set.of()),
            Map.entry("pulumi", Set.of("-C", "--cwd", "-s", "--stack")));

    /** Subcommands that run something named by the next word, which is then part of the name too. */
    private static final Map<String, Set<String>> SECOND_WORD = Map.ofEntries(
            Map.entry("npm", Set.of("run", "run-script", "exec")),
            Map.entry("yarn", Set.of("run", "exec", "workspace")),
            Map.entry("pnpm", Set.of("run", "exec", "dlx")),
            Map.entry("bun", Set.of("run", "x")),
            Map.entry("uv", Set.of("run", "tool", "pip")),
            Map.entry("poetry", Set.of("run")),
            Map.entry("pipenv", Set.of("run")),
            Map.entry("bundle", Set.of("exec")),
            Map.entry("docker", Set.of("compose", "container", "image", "network", "volume", "buildx", "system")),
            Map.entry("podman", Set.of("compose", "container", "image", "network", "volume", "system")),
            Map.entry("go", Set.of("mod", "tool")),
            Map.entry("conda", Set.of("env")),
            Map.entry("dotnet", Set.of("tool", "ef")),
            Map.entry("gh", Set.of("pr", "issue", "run", "repo", "release", "workflow")));

    private static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh");
    private static final Set<String> SHELL_VALUE_OPTIONS = Set.of("-o", "+o", "-O", "+O", "--rcfile", "--init-file");
    private static final Pattern PYTHON = Pattern.compile("(python|pypy)[0-9.]*");
    private static final Set<String> PYTHON_VALUE_OPTIONS = Set.of("-W", "-X", "--check-hash-based-pycs");
    private static final Set<String> NODE = Set.of("node", "nodejs");
    private static final Set<String> NODE_INLINE = Set.of("-e", "--eval", "-p", "--print");
    private static final Set<String> NODE_VALUE_OPTIONS = Set.of("-r", "--require", "--import", "--loader",
            "--experimental-loader", "-C", "--conditions", "--input-type", "--env-file");
    private static final Set<String> SCRIPTING = Set.of("ruby", "perl");
    private static final Set<String> SCRIPTING_INLINE = Set.of("-e", "-E");
    private static final Set<String> SCRIPTING_VALUE_OPTIONS = Set.of("-I", "-r", "-C", "-M");
    private static final Set<String> JAVA_VALUE_OPTIONS = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports",
            "--add-reads", "--limit-modules", "--source", "--enable-native-access");

    /** Claude Code options that take a separate value (the rest are flags or {@code --name=value}). */
    private static final Set<String> CLAUDE_VALUE_OPTIONS = Set.of("--output-format", "--input-format", "--model",
            "--fallback-model", "--allowedTools", "--allowed-tools", "--disallowedTools", "--disallowed-tools",
            "--tools", "--max-turns", "--system-prompt", "--system-prompt-file", "--append-system-prompt",
            "--permission-mode", "--permission-prompt-tool", "--mcp-config", "-r", "--resume", "--session-id",
            "--add-dir", "--settings", "--setting-sources", "--agents", "--agent", "--max-budget-usd", "--json-schema",
            "--betas", "--plugin-dir", "--debug-file");

    private static final Set<String> ANALYSIS = Set.of("analyze", "analyse", "analysis", "review", "audit", "assess",
            "evaluate", "critique", "inspect", "summarize", "summarise", "summary", "compare", "investigate",
            "diagnose", "research");
    private static final Set<String> EXPLAIN = Set.of("explain", "describe");
    private static final Set<String> CODE_VERBS = Set.of("implement", "refactor", "fix", "debug", "compile",
            "optimize", "optimise");
    private static final Set<String> CODE_NOUNS = Set.of("code", "function", "functions", "class", "classes",
            "method", "methods", "script", "scripts", "program", "programs", "module", "modules", "algorithm",
            "api", "endpoint", "endpoints", "bug", "bugs", "test", "tests", "unittest", "regex", "snippet",
            "library", "cli", "repo", "repository", "codebase");
    private static final Set<String> CREATIVE = Set.of("story", "stories", "poem", "poems", "poetry", "haiku",
            "haikus", "limerick", "limericks", "sonnet", "lyrics", "song", "fiction", "novel", "narrative", "essay",
            "joke", "jokes", "fable", "tale", "screenplay");
    private static final Set<String> DATA = Set.of("parse", "extract", "convert", "transform", "json", "csv", "xml",
            "yaml", "tsv", "dataset", "spreadsheet", "reformat");
    private static final Set<String> QUESTION_FIRST = Set.of("what", "why", "how", "when", "where", "which", "who",
            "whom", "whose", "is", "are", "can", "could", "does", "do", "did", "should", "would", "will", "explain",
            "describe", "define");

    /** A classification before tags are applied; {@code setup} and {@code claude} steer which command wins. */
    private record Key(String category, String name, boolean claude, boolean setup) {
        static Key cmd(String name) {
            return new Key("cmd", name, false, false);
        }
    }

    /**
     * The task key of a command.
     *
     * @param command a shell string, or {@code null} when {@code argv} is given
     * @param argv    a program and its arguments, or {@code null} when {@code command} is given; when both are
     *                given, {@code command} is used
     * @return the key; {@code cmd:unknown} when nothing can be made of the input
     */
    public TaskKey classify(String command, List<String> argv) {
        try {
            return classifyOrThrow(command, argv);
        } catch (RuntimeException e) {
            // A classifier bug must cost at most a poorer estimate, never an execution.
            return FALLBACK;
        }
    }

    /** {@link #classify} without the safety net, so that tests see the classifier's own failures. */
    TaskKey classifyOrThrow(String command, List<String> argv) {
        String text;
        Key key;
        if (command != null) {
            text = command;
            key = classifyShell(command, 0);
        } else if (argv != null) {
            List<String> words = new ArrayList<>(argv.size());
            for (String a : argv) {
                words.add(a == null ? "" : a);
            }
            text = String.join(" ", words);
            key = classifyWords(words, null, 0);
        } else {
            return FALLBACK;
        }
        String category = key == null ? "cmd" : key.category();
        String name = key == null ? "unknown" : key.name();
        Matcher m = TAG.matcher(text);
        while (m.find()) {
            String tag = m.group(1).toLowerCase(Locale.ROOT);
            if (tag.equals("category")) {
                category = part(m.group(2));
            } else if (tag.equals("task")) {
                name = part(m.group(2));
            }
        }
        return new TaskKey(category, name);
    }

    private Key classifyShell(String script, int depth) {
        Key first = null;
        Key task = null;
        for (ShellSplitter.Command c : new ShellSplitter(script).split()) {
            Key k = classifyWords(c.words, c.stdin, depth);
            if (k == null) {
                continue;
            }
            if (k.claude()) {
                return k;
            }
            if (first == null) {
                first = k;
            }
            if (task == null && !k.setup()) {
                task = k;
            }
        }
        return task != null ? task : first;
    }

    /** The key of one simple command, or {@code null} when it names no program. */
    private Key classifyWords(List<String> words, String stdin, int depth) {
        int p = programIndex(words);
        if (p < 0) {
            return null;
        }
        String prog = baseName(words.get(p)).toLowerCase(Locale.ROOT);
        List<String> args = words.subList(p + 1, words.size());
        if (prog.equals("claude") && (args.contains("-p") || args.contains("--print"))) {
            return claude(args, stdin);
        }
        if (SETUP.contains(prog)) {
            return new Key("cmd", part(prog), false, true);
        }
        if (SHELLS.contains(prog)) {
            return shell(prog, args, depth);
        }
        if (PYTHON.matcher(prog).matches()) {
            return Key.cmd(interpreter(prog, args, Set.of("-c"), PYTHON_VALUE_OPTIONS, "-m"));
        }
        if (NODE.contains(prog)) {
            return Key.cmd(interpreter(prog, args, NODE_INLINE, NODE_VALUE_OPTIONS, null));
        }
        if (SCRIPTING.contains(prog)) {
            return Key.cmd(interpreter(prog, args, SCRIPTING_INLINE, SCRIPTING_VALUE_OPTIONS, null));
        }
        if (prog.equals("java")) {
            return Key.cmd(java(args));
        }
        Set<String> valueOptions = SUBCOMMANDS.get(prog);
        if (valueOptions != null) {
            return Key.cmd(withSubcommand(prog, args, valueOptions));
        }
        return Key.cmd(part(prog));
    }

    /** Index of the program word, past assignments, reserved words and wrappers; -1 when there is none. */
    private static int programIndex(List<String> w) {
        int i = 0;
        while (i < w.size()) {
            String t = w.get(i);
            if (isAssignment(t) || RESERVED.contains(t)) {
                i++;
                continue;
            }
            Wrapper wrapper = WRAPPERS.get(baseName(t).toLowerCase(Locale.ROOT));
            if (wrapper == null) {
                return i;
            }
            i = skipWrapper(w, i + 1, wrapper);
        }
        return -1;
    }

    private static int skipWrapper(List<String> w, int from, Wrapper wrapper) {
        int i = from;
        while (i < w.size()) {
            String t = w.get(i);
            if (t.equals("--")) {
                i++;
                break;
            }
            if (wrapper.assignments() && isAssignment(t)) {
                i++;
            } else if (t.length() > 1 && t.startsWith("-")) {
                i += wrapper.valueOptions().contains(t) ? 2 : 1;
            } else {
                break;
            }
        }
        return i + wrapper.operands();
    }

    private static Key claude(List<String> args, String stdin) {
        List<String> positional = new ArrayList<>();
        String model = null;
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String t = args.get(i);
            if (optionsEnded) {
                positional.add(t);
            } else if (t.equals("--")) {
                optionsEnded = true;
            } else if (t.equals("--model")) {
                model = i + 1 < args.size() ? args.get(++i) : null;
            } else if (t.startsWith("--model=")) {
                model = t.substring("--model=".length());
            } else if (CLAUDE_VALUE_OPTIONS.contains(t)) {
                i++;
            } else if (t.length() > 1 && t.startsWith("-")) {
                continue; // -p, --print, --verbose, --name=value ...
            } else {
                positional.add(t);
            }
        }
        String prompt = positional.isEmpty() ? stdin : String.join(" ", positional);
        if (prompt != null) {
            prompt = TAG.matcher(prompt).replaceAll(""); // tags are about the prompt, not part of it
        }
        String name = prompt == null ? "stdin" : promptKind(prompt) + "_" + sizeBucket(prompt);
        String family = modelFamily(model);
        return new Key("claude", family == null ? name : name + "_" + family, true, false);
    }

    static String promptKind(String prompt) {
        String text = prompt.length() > MAX_PROMPT_SCAN ? prompt.substring(0, MAX_PROMPT_SCAN) : prompt;
        Set<String> words = new HashSet<>();
        String firstWord = null;
        StringBuilder w = new StringBuilder();
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? Character.toLowerCase(text.charAt(i)) : ' ';
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                w.append(c);
            } else if (!w.isEmpty()) {
                String word = w.toString();
                w.setLength(0);
                if (firstWord == null) {
                    firstWord = word;
                }
                words.add(word);
            }
        }
        boolean codeNoun = containsAny(words, CODE_NOUNS);
        if (containsAny(words, ANALYSIS) || (codeNoun && containsAny(words, EXPLAIN))) {
            return "analysis";
        }
        if (codeNoun || containsAny(words, CODE_VERBS)) {
            return "code";
        }
        if (containsAny(words, CREATIVE)) {
            return "creative";
        }
        if (containsAny(words, DATA)) {
            return "data";
        }
        if ((firstWord != null && QUESTION_FIRST.contains(firstWord)) || endsWithQuestionMark(prompt)) {
            return "question";
        }
        return "general";
    }

    static String sizeBucket(String prompt) {
        int n = prompt.codePointCount(0, prompt.length());
        if (n < 100) {
            return "xs";
        } else if (n < 500) {
            return "s";
        } else if (n < 2_000) {
            return "m";
        } else if (n < 10_000) {
            return "l";
        }
        return "xl";
    }

    private static String modelFamily(String model) {
        if (model == null) {
            return null;
        }
        String m = model.toLowerCase(Locale.ROOT);
        for (String family : List.of("opus", "sonnet", "haiku")) {
            if (m.contains(family)) {
                return family;
            }
        }
        return null;
    }

    private static boolean containsAny(Set<String> words, Set<String> keywords) {
        for (String k : keywords) {
            if (words.contains(k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWithQuestionMark(String s) {
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '?';
            }
        }
        return false;
    }

    private Key shell(String prog, List<String> args, int depth) {
        boolean inline = false;
        for (int i = 0; i < args.size(); i++) {
            String t = args.get(i);
            if (SHELL_VALUE_OPTIONS.contains(t)) {
                i++;
            } else if (t.startsWith("--") || ((t.startsWith("-") || t.startsWith("+")) && t.length() > 1)) {
                inline |= !t.startsWith("--") && t.indexOf('c', 1) > 0;
            } else if (t.equals("-") && !inline) {
                return Key.cmd(part(prog)); // script on stdin
            } else if (inline) {
                Key inner = depth < MAX_SHELL_DEPTH ? classifyShell(t, depth + 1) : null;
                return inner != null ? inner : Key.cmd(join(prog, "inline"));
            } else {
                return Key.cmd(join(prog, baseName(t)));
            }
        }
        return Key.cmd(inline ? join(prog, "inline") : part(prog));
    }

    /**
     * Name of an interpreter run: its script's base name, {@code moduleOption}'s module, or {@code inline}.
     */
    private static String interpreter(String prog, List<String> args, Set<String> inlineOptions,
                                      Set<String> valueOptions, String moduleOption) {
        for (int i = 0; i < args.size(); i++) {
            String t = args.get(i);
            if (t.equals("--")) {
                return i + 1 < args.size() ? join(prog, baseName(args.get(i + 1))) : part(prog);
            }
            if (inlineOptions.contains(t)
                    || (t.length() > 2 && !t.startsWith("--") && inlineOptions.contains(t.substring(0, 2)))) {
                return join(prog, "inline"); // -c CODE, or -cCODE
            }
            if (t.equals(moduleOption)) {
                return i + 1 < args.size() ? join(prog, args.get(i + 1)) : part(prog);
            }
            if (moduleOption != null && t.startsWith(moduleOption) && !t.startsWith("--")) {
                return join(prog, t.substring(moduleOption.length())); // -mpytest
            }
            if (valueOptions.contains(t)) {
                i++;
            } else if (t.equals("-")) {
                return part(prog); // script on stdin
            } else if (!t.startsWith("-")) {
                return join(prog, baseName(t));
            }
        }
        return part(prog);
    }

    private static String java(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String t = args.get(i);
            if (t.equals("-jar") || t.equals("-m") || t.equals("--module")) {
                if (i + 1 >= args.size()) {
                    return "java";
                }
                String target = args.get(i + 1);
                int slash = target.indexOf('/');
                // -jar takes a path; -m takes module/main-class, of which the module names the program.
                return join("java", t.equals("-jar") ? baseName(target) : slash > 0 ? target.substring(0, slash)
                        : target);
            }
            if (JAVA_VALUE_OPTIONS.contains(t)) {
                i++;
            } else if (!t.startsWith("-")) {
                return join("java", baseName(t));
            }
        }
        return "java";
    }

    private static String withSubcommand(String prog, List<String> args, Set<String> valueOptions) {
        int s = subcommandIndex(args, 0, valueOptions, prog.equals("npx"));
        if (s < 0) {
            return part(prog);
        }
        String sub = args.get(s).toLowerCase(Locale.ROOT);
        if (prog.equals("npx")) {
            sub = npmPackage(sub);
        }
        Set<String> second = SECOND_WORD.get(prog);
        if (second != null && second.contains(sub)) {
            int s2 = subcommandIndex(args, s + 1, valueOptions, false);
            if (s2 >= 0) {
                return join(prog, sub, args.get(s2));
            }
        }
        return join(prog, sub);
    }

    /** Index of the first word argument from {@code from}, or -1 when the first argument is not a word. */
    private static int subcommandIndex(List<String> args, int from, Set<String> valueOptions, boolean npmPackage) {
        for (int i = from; i < args.size(); i++) {
            String t = args.get(i);
            if (t.equals("--")) {
                return -1;
            }
            if (t.length() > 1 && (t.startsWith("-") || t.startsWith("+"))) {
                if (valueOptions.contains(t)) {
                    i++;
                }
                continue;
            }
            if (isNumber(t) || t.indexOf('=') >= 0) {
                continue;
            }
            return isWord(npmPackage ? npmPackage(t) : t) ? i : -1;
        }
        return -1;
    }

    /** {@code @scope/name@version} to {@code name}. */
    private static String npmPackage(String spec) {
        String s = spec;
        if (s.startsWith("@")) {
            int slash = s.indexOf('/');
            s = slash >= 0 ? s.substring(slash + 1) : s.substring(1);
        }
        int at = s.indexOf('@');
        return at > 0 ? s.substring(0, at) : s;
    }

    /** A subcommand-like word: starts with a letter, short, only letters, digits and {@code _.:+-}. */
    private static boolean isWord(String t) {
        if (t.isEmpty() || t.length() > 40 || !isAsciiLetter(t.charAt(0))) {
            return false;
        }
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && "_.:+-".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNumber(String t) {
        if (t.isEmpty()) {
            return false;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** {@code NAME=value}, as a shell assignment word. */
    private static boolean isAssignment(String t) {
        int eq = t.indexOf('=');
        if (eq <= 0 || !(isAsciiLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < eq; i++) {
            char c = t.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Sanitised parts joined with {@code _}, capped at 64 characters. */
    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (!b.isEmpty()) {
                b.append('_');
            }
            b.append(part(p));
        }
        return b.length() > MAX_PART ? b.substring(0, MAX_PART) : b.toString();
    }

    /** Lower case, each disallowed code point as {@code -}, at most 64 characters, never empty. */
    static String part(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_PART));
        for (int i = 0; i < s.length() && b.length() < MAX_PART; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 'A' && cp <= 'Z') {
                b.append((char) (cp + ('a' - 'A')));
            } else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_' || cp == '.' || cp == '-') {
                b.append((char) cp);
            } else {
                b.append('-');
            }
        }
        return b.isEmpty() ? "unknown" : b.toString();
    }
}
