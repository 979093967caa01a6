// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TaskClassifier}: the key scheme for Claude Code and other commands, tags, and hostile input. */
class TaskClassifierTest {
    private static final String VALID = "[a-z0-9_.-]{1,64}";

    private final TaskClassifier classifier = new TaskClassifier();

    private String shell(String command) {
        return classifier.classify(command, null).toString();
    }

    private String argv(String... argv) {
        return classifier.classify(null, Arrays.asList(argv)).toString();
    }

    private static void assertValid(TaskKey key) {
        assertThat(key.category()).matches(VALID);
        assertThat(key.name()).matches(VALID);
    }

    // --- Claude Code ------------------------------------------------------------------------------------------

    @Test
    void claudePromptKinds() {
        String tail = " --output-format stream-json --verbose";
        assertThat(shell("claude -p \"Write a Python function that adds two numbers\"" + tail))
                .isEqualTo("claude:code_xs");
        assertThat(shell("claude -p 'Implement quicksort in Rust'" + tail)).isEqualTo("claude:code_xs");
        assertThat(shell("claude -p 'Refactor the parser'" + tail)).isEqualTo("claude:code_xs");
        assertThat(shell("claude -p 'Review the changes in this branch'" + tail)).isEqualTo("claude:analysis_xs");
        assertThat(shell("claude -p 'Explain this code: def f(x): return x'" + tail)).isEqualTo("claude:analysis_xs");
        assertThat(shell("claude -p 'Write a haiku about autumn'" + tail)).isEqualTo("claude:creative_xs");
        assertThat(shell("claude -p 'Write 5 haikus about Python'" + tail)).isEqualTo("claude:creative_xs");
        assertThat(shell("claude -p 'What is 2+2?'" + tail)).isEqualTo("claude:question_xs");
        assertThat(shell("claude -p 'Explain how TCP congestion control works'" + tail))
                .isEqualTo("claude:question_xs");
        assertThat(shell("claude -p 'The capital of France, please?'" + tail)).isEqualTo("claude:question_xs");
        assertThat(shell("claude -p 'Research X with the perplexity tool and write a report'" + tail))
                .isEqualTo("claude:analysis_xs");
        assertThat(shell("claude -p 'Extract all emails from the text below and output JSON'" + tail))
                .isEqualTo("claude:data_xs");
        assertThat(shell("claude -p 'Say hello'" + tail)).isEqualTo("claude:general_xs");
    }

    @Test
    void claudeSizeBuckets() {
        assertThat(argv("claude", "-p", "a".repeat(99))).isEqualTo("claude:general_xs");
        assertThat(argv("claude", "-p", "a".repeat(100))).isEqualTo("claude:general_s");
        assertThat(argv("claude", "-p", "a".repeat(499))).isEqualTo("claude:general_s");
        assertThat(argv("claude", "-p", "a".repeat(500))).isEqualTo("claude:general_m");
        assertThat(argv("claude", "-p", "a".repeat(1_999))).isEqualTo("claude:general_m");
        assertThat(argv("claude", "-p", "a".repeat(2_000))).isEqualTo("claude:general_l");
        assertThat(argv("claude", "-p", "a".repeat(9_999))).isEqualTo("claude:general_l");
        assertThat(argv("claude", "-p", "a".repeat(10_000))).isEqualTo("claude:general_xl");
        // Code points, not UTF-16 units: 99 emoji are 198 chars but still xs.
        assertThat(argv("claude", "-p", "\uD83D\uDE00".repeat(99))).isEqualTo("claude:general_xs");
        String longCode = "Implement a function. " + "x".repeat(3_000);
        assertThat(shell("claude -p '" + longCode + "' --output-format stream-json")).isEqualTo("claude:code_l");
    }

    @Test
    void claudeModelFamily() {
        assertThat(shell("claude -p 'What is Rust?' --model opus")).isEqualTo("claude:question_xs_opus");
        assertThat(shell("claude --model claude-sonnet-4-5-20250929 -p 'What is Rust?'"))
                .isEqualTo("claude:question_xs_sonnet");
        assertThat(shell("claude -p 'What is Rust?' --model=claude-3-5-haiku-latest"))
                .isEqualTo("claude:question_xs_haiku");
        assertThat(shell("claude -p 'What is Rust?' --model some-other-model")).isEqualTo("claude:question_xs");
        assertThat(argv("claude", "--model", "OPUS", "-p", "fix the bug")).isEqualTo("claude:code_xs_opus");
    }

    @Test
    void claudeThroughWrappersAndAssignments() {
        String expected = "claude:creative_xs";
        assertThat(shell("stdbuf -o0 -e0 claude -p 'Write a poem' --output-format stream-json --verbose"))
                .isEqualTo(expected);
        assertThat(shell("env ANTHROPIC_MODEL=x claude -p 'Write a poem'")).isEqualTo(expected);
        assertThat(shell("FOO=1 BAR='a b' claude -p 'Write a poem'")).isEqualTo(expected);
        assertThat(shell("timeout 300 nice -n 10 stdbuf -o 0 /usr/local/bin/claude -p 'Write a poem'"))
                .isEqualTo(expected);
        assertThat(shell("timeout -k 5 300s env -u X Y=1 nohup claude --print 'Write a poem'"))
                .isEqualTo(expected);
        assertThat(argv("stdbuf", "-o0", "-e0", "claude", "-p", "Write a poem")).isEqualTo(expected);
        assertThat(shell("bash -c \"claude -p 'Write a poem'\"")).isEqualTo(expected);
        assertThat(shell("sh -lc 'exec claude -p \"Write a poem\"'")).isEqualTo(expected);
    }

    @Test
    void claudePromptQuoting() {
        // Single quotes keep everything literally; double quotes honour \" and \\; bare backslashes escape.
        assertThat(shell("claude -p 'Why is \"x\" here?'")).isEqualTo("claude:question_xs");
        assertThat(shell("claude -p \"Why is \\\"x\\\" here?\" --verbose")).isEqualTo("claude:question_xs");
        assertThat(shell("claude -p 'It'\\''s a poem, write it'")).isEqualTo("claude:creative_xs");
        assertThat(shell("claude -p Why\\ is\\ the\\ sky\\ blue\\?")).isEqualTo("claude:question_xs");
        // The quotes are not part of the prompt's length: 99 characters inside quotes stay xs.
        assertThat(shell("claude -p \"" + "b".repeat(99) + "\"")).isEqualTo("claude:general_xs");
        assertThat(shell("claude -p '" + "b".repeat(100) + "'")).isEqualTo("claude:general_s");
    }

    @Test
    void claudePromptPosition() {
        assertThat(shell("claude --output-format stream-json -p --verbose 'Write a poem'"))
                .isEqualTo("claude:creative_xs");
        assertThat(shell("claude --append-system-prompt 'You are a poet' -p 'What is 2+2?'"))
                .isEqualTo("claude:question_xs");
        assertThat(argv("claude", "-p", "write", "a", "poem")).isEqualTo("claude:creative_xs");
        assertThat(shell("claude -p --output-format stream-json <<< 'What is 2+2?'"))
                .isEqualTo("claude:question_xs");
        assertThat(shell("claude -p <<'EOF'\nWrite a story\nabout a cat\nEOF\necho done"))
                .isEqualTo("claude:creative_xs");
        assertThat(shell("cat prompt.txt | claude -p --verbose")).isEqualTo("claude:stdin");
        assertThat(shell("cat prompt.txt | claude -p --model opus")).isEqualTo("claude:stdin_opus");
    }

    @Test
    void claudeWithoutPrintIsAPlainCommand() {
        assertThat(shell("claude --version")).isEqualTo("cmd:claude");
        assertThat(argv("claude", "mcp", "list")).isEqualTo("cmd:claude");
        assertThat(shell("echo 'claude -p hi'")).isEqualTo("cmd:echo");
    }

    // --- tags -------------------------------------------------------------------------------------------------

    @Test
    void inlineTagsOverride() {
        assertThat(shell("claude -p '[category:Review] [task:PR_42.v2] look at this'"))
                .isEqualTo("review:pr_42.v2");
        assertThat(shell("claude -p '[category:review] Write a poem'")).isEqualTo("review:creative_xs");
        assertThat(shell("make build # [task:nightly-build]")).isEqualTo("cmd:nightly-build");
        assertThat(shell("echo [task:a] [task:b]")).isEqualTo("cmd:b");
        assertThat(argv("sleep", "1", "[category:demo]")).isEqualTo("demo:sleep");
        assertThat(shell("echo [complexity:high] [type:x]")).isEqualTo("cmd:echo");
        assertThat(shell("[task:" + "x".repeat(200) + "]").split(":")[1]).hasSize(64);
    }

    // --- other commands ---------------------------------------------------------------------------------------

    @Test
    void programsWithSubcommands() {
        assertThat(shell("git status")).isEqualTo("cmd:git_status");
        assertThat(shell("git commit -m \"fix: x\"")).isEqualTo("cmd:git_commit");
        assertThat(shell("git commit -am y")).isEqualTo("cmd:git_commit");
        assertThat(shell("git -C /repo --no-pager log --oneline")).isEqualTo("cmd:git_log");
        assertThat(shell("/usr/bin/git clone https://example.com/x.git")).isEqualTo("cmd:git_clone");
        assertThat(shell("npm install")).isEqualTo("cmd:npm_install");
        assertThat(shell("npm run build -- --watch")).isEqualTo("cmd:npm_run_build");
        assertThat(shell("npm run test:unit")).isEqualTo("cmd:npm_run_test-unit");
        assertThat(shell("npx -y create-react-app@latest my-app")).isEqualTo("cmd:npx_create-react-app");
        assertThat(shell("npx @playwright/test test")).isEqualTo("cmd:npx_test");
        assertThat(shell("mvn -B -q install -DskipTests -pl protocol")).isEqualTo("cmd:mvn_install");
        assertThat(shell("mvn -pl server verify")).isEqualTo("cmd:mvn_verify");
        assertThat(shell("./mvnw clean verify")).isEqualTo("cmd:mvnw_clean");
        assertThat(shell("./gradlew build --scan")).isEqualTo("cmd:gradlew_build");
        assertThat(shell("docker compose up -d")).isEqualTo("cmd:docker_compose_up");
        assertThat(shell("docker run --rm -it ubuntu bash")).isEqualTo("cmd:docker_run");
        assertThat(shell("kubectl -n prod get pods")).isEqualTo("cmd:kubectl_get");
        assertThat(shell("cargo +nightly test --release")).isEqualTo("cmd:cargo_test");
        assertThat(shell("go test ./...")).isEqualTo("cmd:go_test");
        assertThat(shell("go mod tidy")).isEqualTo("cmd:go_mod_tidy");
        assertThat(shell("make")).isEqualTo("cmd:make");
        assertThat(shell("make -j 8 CC=clang all")).isEqualTo("cmd:make_all");
        assertThat(shell("make ./out/x")).isEqualTo("cmd:make");
        assertThat(shell("uv run pytest -x")).isEqualTo("cmd:uv_run_pytest");
        assertThat(shell("sudo apt-get install -y curl")).isEqualTo("cmd:apt-get_install");
        assertThat(shell("redis-cli -h localhost -p 6379 GET key")).isEqualTo("cmd:redis-cli_get");
        assertThat(shell("systemctl restart nginx")).isEqualTo("cmd:systemctl_restart");
        assertThat(shell("terraform plan -out plan.tfplan")).isEqualTo("cmd:terraform_plan");
    }

    @Test
    void interpreters() {
        assertThat(shell("python3 tests/run.py --fast")).isEqualTo("cmd:python3_run.py");
        assertThat(shell("python -u script.py")).isEqualTo("cmd:python_script.py");
        assertThat(shell("python3 -m pytest -k foo")).isEqualTo("cmd:python3_pytest");
        assertThat(shell("python3 -m http.server 8000")).isEqualTo("cmd:python3_http.server");
        assertThat(shell("python3 -c 'print(1)'")).isEqualTo("cmd:python3_inline");
        assertThat(shell("python3.12 -W ignore x.py")).isEqualTo("cmd:python3.12_x.py");
        assertThat(shell("python3")).isEqualTo("cmd:python3");
        assertThat(shell("node dist/server.js --port 3000")).isEqualTo("cmd:node_server.js");
        assertThat(shell("node -e 'console.log(1)'")).isEqualTo("cmd:node_inline");
        assertThat(shell("ruby -e 'puts 1'")).isEqualTo("cmd:ruby_inline");
        assertThat(shell("perl -I lib bin/tool.pl")).isEqualTo("cmd:perl_tool.pl");
        assertThat(shell("java -Xmx1g -jar target/app-1.0.jar serve")).isEqualTo("cmd:java_app-1.0.jar");
        assertThat(shell("java -cp lib/* com.example.Main")).isEqualTo("cmd:java_com.example.main");
        assertThat(shell("java -m dev.ccx.server/dev.ccx.server.Main")).isEqualTo("cmd:java_dev.ccx.server");
        assertThat(shell("bash scripts/deploy.sh prod")).isEqualTo("cmd:bash_deploy.sh");
        assertThat(shell("bash -c 'sleep 5'")).isEqualTo("cmd:sleep");
        assertThat(shell("bash -c ''")).isEqualTo("cmd:bash_inline");
        assertThat(shell("sh -c \"sh -c \\\"sh -c \\\\\\\"sh -c 'sleep 1'\\\\\\\"\\\"\""))
                .isEqualTo("cmd:sh_inline");
    }

    @Test
    void argumentsAreDropped() {
        assertThat(shell("sleep 5")).isEqualTo(shell("sleep 10")).isEqualTo("cmd:sleep");
        assertThat(shell("echo hello world")).isEqualTo("cmd:echo");
        assertThat(shell("pytest -k foo tests/")).isEqualTo("cmd:pytest");
        assertThat(shell("ls -la /tmp > /dev/null 2>&1")).isEqualTo("cmd:ls");
        assertThat(argv("sleep", "0.5")).isEqualTo("cmd:sleep");
        assertThat(argv("/bin/echo", "hi")).isEqualTo("cmd:echo");
    }

    @Test
    void compoundCommands() {
        assertThat(shell("echo a && sleep 1")).isEqualTo("cmd:echo");
        assertThat(shell("ls | wc -l")).isEqualTo("cmd:ls");
        assertThat(shell("make build; make test")).isEqualTo("cmd:make_build");
        assertThat(shell("grep -r foo . | sort | uniq -c")).isEqualTo("cmd:grep");
        // Set-up commands are skipped: the task is what follows them.
        assertThat(shell("cd /repo && npm test")).isEqualTo("cmd:npm_test");
        assertThat(shell("export A=1; source .venv/bin/activate && python3 main.py")).isEqualTo("cmd:python3_main.py");
        assertThat(shell("cd /tmp")).isEqualTo("cmd:cd");
        assertThat(shell("(cd sub && make) > build.log")).isEqualTo("cmd:make");
        assertThat(shell("echo \"a;b|c && d\" | tr a b")).isEqualTo("cmd:echo");
        assertThat(shell("echo $(git rev-parse HEAD)")).isEqualTo("cmd:echo");
        assertThat(shell("# a comment\nnpm ci")).isEqualTo("cmd:npm_ci");
        assertThat(shell("for i in 1 2 3; do ./bench.sh $i; done")).isEqualTo("cmd:bench.sh");
        assertThat(shell("while true; do date; sleep 1; done")).isEqualTo("cmd:date");
        assertThat(shell("if [ -f Makefile ]; then make; fi")).isEqualTo("cmd:make");
        // Only the first 1,000 simple commands are looked at.
        assertThat(shell("x | ".repeat(999) + "claude -p hi")).isEqualTo("claude:general_xs");
        assertThat(shell("x | ".repeat(1_000) + "claude -p hi")).isEqualTo("cmd:x");
        // A Claude Code run anywhere in the line decides the key.
        assertThat(shell("cd /repo && git pull && claude -p 'fix the failing test'")).isEqualTo("claude:code_xs");
    }

    // --- robustness -------------------------------------------------------------------------------------------

    @Test
    void garbageNeverThrowsAndGivesValidKeys() {
        List<String> inputs = new ArrayList<>(List.of("", " ", "   \t\n  ", "'", "\"", "\\", "'unbalanced",
                "\"unbalanced \\\"", "claude -p 'unbalanced", "claude -p", "claude -p \"", "$(", "`", "<<", "<<EOF",
                ">", "2>&1", "|", "&&", ";;;", "()", "{ }", "=", "A=1", "A=1 B=2", "env", "stdbuf -o0", "timeout",
                "timeout 5", "sudo", "--", "-", "-p", "/", "///", "./", "\u0000", "Ünïcödé 命令 ✓",
                "\uD800", "\uDC00x", "日本語 -p 'テスト'", "claude -p '日本語のプロンプト'", "[category:]", "[:x]",
                "[category:ÄÖ]", "[task:" + "a".repeat(1_000) + "]", "bash -c", "python3 -m", "java -jar",
                "npx @", "npx @/", "git -C", "\r\n\r\n", "#", "# only a comment"));
        inputs.add("a".repeat(1 << 20));
        inputs.add("claude -p '" + "word ".repeat(210_000) + "'");
        inputs.add("echo " + "\"'".repeat(300_000));
        inputs.add("(".repeat(200_000) + "$(" .repeat(100_000));
        inputs.add("x | ".repeat(200_000));
        inputs.add("[" + "a".repeat(1 << 20));
        String alphabet = "ab -p'\"\\$()`|&;<>#\n =[]:claude";
        Random random = new Random(42);
        for (int n = 0; n < 300; n++) {
            StringBuilder b = new StringBuilder();
            int len = random.nextInt(200);
            for (int i = 0; i < len; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            inputs.add(b.toString());
        }
        for (String input : inputs) {
            List<String> words = Arrays.asList(input.split(" ", 20));
            assertValid(classifier.classify(input, null));
            assertValid(classifier.classify(null, words));
            // Not merely caught: the classifier itself copes with all of these.
            assertValid(classifier.classifyOrThrow(input, null));
            assertValid(classifier.classifyOrThrow(null, words));
        }
    }

    @Test
    void oneMegabyteIsFast() {
        String huge = "claude -p '" + "Explain this function. ".repeat(50_000) + "'";
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertThat(classifier.classify(huge, null).toString()).isEqualTo("claude:analysis_xl");
        }
        assertThat((System.nanoTime() - start) / 10 / 1_000_000).as("ms per classification").isLessThan(500);
    }

    @Test
    void oddArguments() {
        assertThat(classifier.classify(null, null)).hasToString("cmd:unknown");
        assertThat(classifier.classify(null, List.of())).hasToString("cmd:unknown");
        assertThat(classifier.classify(null, Arrays.asList(null, "x"))).hasToString("cmd:unknown");
        assertThat(classifier.classify(null, Arrays.asList("echo", null))).hasToString("cmd:echo");
        assertThat(classifier.classify("sleep 1", List.of("echo"))).hasToString("cmd:sleep");
        assertThat(shell("")).isEqualTo("cmd:unknown");
        assertThat(shell("A=1 B=2")).isEqualTo("cmd:unknown");
        assertThat(shell("Ünïcödé --flag")).isEqualTo("cmd:-n-c-d-");
        assertThat(shell("/opt/My Tools/run")).isEqualTo("cmd:my");
        assertThat(shell("'/opt/My Tools/Run Me'")).isEqualTo("cmd:run-me");
        assertThat(shell("x".repeat(300)).split(":")[1]).hasSize(64);
        assertThat(shell("npm run " + "y".repeat(30) + " && true").split(":")[1]).hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void deterministic() {
        String cmd = "cd /x && stdbuf -o0 claude -p \"Refactor the module\" --model opus --verbose";
        assertThat(new TaskClassifier().classify(cmd, null)).isEqualTo(classifier.classify(cmd, null))
                .hasToString("claude:code_xs_opus");
    }
}
