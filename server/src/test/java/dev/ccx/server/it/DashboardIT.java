// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.process.ProcessGroup;
import dev.ccx.server.testing.Browser;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.ProcState;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import dev.ccx.server.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through its chromedriver (see {@link Browser}).
 * The page is served by a real server and talks to it over the same WebSocket protocol as every client; the
 * executions it shows are started by a {@link TestClient}. With {@code -Dccx.screenshot=PATH} a screenshot for the
 * README is written as well.
 */
@ExtendWith(Groups.class)
class DashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** A process that prints {@code ready}, then {@code got:LINE} for every line written to its stdin. */
    private static final String ECHOER = "echo ready; while IFS= read -r l; do echo \"got:$l\"; done";

    private static TestServer server;
    private static Browser browser;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void loadsWithHealthAndNoConsoleErrors() {
        browser.console(); // drop what earlier tests left
        open(server);
        assertThat(browser.driver().getTitle()).isEqualTo("ccx dashboard");
        browser.until(WAIT, "health filled in", d -> text("#health").contains("healthy")
                && text("#health").contains("processes"));
        assertThat(browser.driver().findElement(By.id("executions")).isDisplayed()).isTrue();
        browser.until(WAIT, "stats and usage answered", d -> !text("#usage").equals("…")
                && !browser.driver().findElements(By.cssSelector("#stats tbody td")).isEmpty());
        assertThat(text("#usage")).contains("$0.0000").doesNotContain("not available");
        // A CSP violation, a script error or a failed request would be a SEVERE console message.
        assertThat(browser.console()).noneMatch(line -> line.startsWith("SEVERE"));
    }

    @Test
    void liveOutputAppearsWithinOneSecond() {
        try (TestClient client = server.connect()) {
            TestClient.Started run = client.execute(Map.of("command", ECHOER, "stdin", true));
            open(server);
            select(run.id());
            browser.until(WAIT, "the replay shows the first line", d -> output().contains("ready"));

            String marker = "marker-" + System.nanoTime();
            long t0 = System.nanoTime();
            client.call("stdin", Map.of("execution_id", run.id(), "data", marker + "\n"));
            browser.until(Duration.ofSeconds(1), "the new line within 1 s", d -> output().contains("got:" + marker));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).as("ms from writing the line to seeing it in the page").isLessThan(1000);

            end(client, run);
        }
    }

    /**
     * A flood is more than a page can show: it drops its connection (with what is in flight), then takes the newest
     * lines now and then, says how many it skipped, and shows the end. Its pane never holds the whole flood.
     */
    @Test
    void aFloodIsSampledAndItsEndIsShown() {
        try (TestClient client = server.connect()) {
            TestClient.Started run = client.execute(Map.of("command", "read go; seq 1 300000; echo flood-over",
                    "stdin", true, "on_disconnect", "keep"));
            client.call("detach", Map.of("execution_id", run.id())); // the page is its only follower
            open(server);
            select(run.id());
            browser.until(WAIT, "the page attached", d -> client.listed(run.id()).get("followers").intValue() == 1);
            client.call("stdin", Map.of("execution_id", run.id(), "data", "go\n", "eof", true));
            browser.until(Duration.ofSeconds(20), "the end of the flood shown", d -> output().contains("flood-over"));
            assertThat(text("#output-note")).contains("faster than anyone can read");
            assertThat(output()).contains("lines skipped");
            List<String> shown = lines();
            assertThat(shown.size()).as("lines in the pane").isLessThan(5_000);
            assertThat(shown).contains("299999", "300000");
            assertThat(client.listed(run.id()).get("reason").stringValue()).isEqualTo("exit");
        }
    }

    @Test
    void switchingExecutionsShowsEachOnceAndNothingOfTheOther() {
        try (TestClient ca = server.connect(); TestClient cb = server.connect()) {
            TestClient.Started a = ca.execute(Map.of("command", ECHOER, "stdin", true));
            TestClient.Started b = cb.execute(Map.of("command", ECHOER, "stdin", true));
            open(server);
            select(a.id());
            ca.call("stdin", Map.of("execution_id", a.id(), "data", "a1\n"));
            browser.until(WAIT, "a's line", d -> output().contains("got:a1"));

            select(b.id());
            cb.call("stdin", Map.of("execution_id", b.id(), "data", "b1\n"));
            ca.call("stdin", Map.of("execution_id", a.id(), "data", "a2\n"));
            browser.until(WAIT, "b's line", d -> output().contains("got:b1"));
            assertThat(output()).doesNotContain("got:a");

            select(a.id());
            browser.until(WAIT, "a replayed, with what it printed meanwhile", d -> output().contains("got:a2"));
            assertThat(lines()).containsSubsequence("ready", "got:a1", "got:a2").containsOnlyOnce("got:a1", "got:a2")
                    .doesNotContain("got:b1");
            end(ca, a);
            end(cb, b);
        }
    }

    @Test
    void reloadReplaysEarlierOutputThenFollows() {
        try (TestClient client = server.connect()) {
            TestClient.Started run = client.execute(Map.of("command", ECHOER, "stdin", true));
            open(server);
            select(run.id());
            client.call("stdin", Map.of("execution_id", run.id(), "data", "before-reload\n"));
            browser.until(WAIT, "output before the reload", d -> output().contains("got:before-reload"));
            assertThat(browser.driver().getCurrentUrl()).endsWith("#" + run.id());

            browser.driver().navigate().refresh();
            browser.until(WAIT, "the earlier output replayed after the reload",
                    d -> output().contains("ready") && output().contains("got:before-reload"));
            client.call("stdin", Map.of("execution_id", run.id(), "data", "after-reload\n"));
            browser.until(WAIT, "new output after the reload", d -> output().contains("got:after-reload"));
            // Replayed once, then followed: nothing twice.
            assertThat(lines()).containsSubsequence("ready", "got:before-reload", "got:after-reload")
                    .containsOnlyOnce("got:before-reload");

            end(client, run);
        }
    }

    @Test
    void pauseResumeAndCancelActOnTheGroupAndTheListSaysWhy() {
        try (TestClient client = server.connect()) {
            TestClient.Started run = client.execute(Map.of("command", ECHOER, "stdin", true));
            open(server);
            select(run.id());
            browser.until(WAIT, "output shown", d -> output().contains("ready"));

            click("pause");
            Wait.until(5_000, "the process stopped", () -> ProcState.of(run.pid()) == 'T');
            browser.until(WAIT, "resume offered", d -> d.findElement(By.id("resume")).isEnabled()
                    && text("#sel-meta").contains("paused"));
            click("resume");
            Wait.until(5_000, "the process running again", () -> ProcState.of(run.pid()) != 'T');
            browser.until(WAIT, "pause offered again", d -> d.findElement(By.id("pause")).isEnabled());

            click("cancel");
            browser.until(WAIT, "the list shows the execution canceled",
                    d -> text(rowSelector(run.id()) + " .reason").equals("canceled"));
            JsonNode completed = client.drain(run.id(), 5_000, m -> { });
            assertThat(completed.get("reason").stringValue()).isEqualTo("canceled");
            assertThat(new ProcessGroup(run.pgid()).isAlive()).isFalse();
            browser.until(WAIT, "the output says how it ended", d -> output().contains("canceled"));
            assertThat(browser.driver().findElement(By.id("cancel")).isEnabled()).isFalse();
        }
    }

    @Test
    void outputIsShownAsTextAndRunsNothing() {
        String img = "<img src=x onerror=\"window.__xss=1\">";
        String script = "<script>window.__xss2=1</script>";
        try (TestClient client = server.connect()) {
            TestClient.Run run = client.run(Map.of("argv", List.of("printf", "%s\\n", img, script)));
            assertThat(run.exitCode()).isZero();
            open(server);
            select(run.started.id());
            browser.until(WAIT, "the whole output shown", d -> output().contains("exit 0 after"));

            assertThat(lines()).contains(img, script);
            assertThat(browser.js("return document.querySelectorAll('img, #output script, #executions script')"
                    + ".length")).isEqualTo(0L);
            assertThat(browser.js("return typeof window.__xss + ' ' + typeof window.__xss2"))
                    .isEqualTo("undefined undefined");
            // The command line, shown in the list and the header, is text too.
            assertThat(text(rowSelector(run.started.id()) + " .cmd")).contains(img);
        }
    }

    @Test
    void aTokenIsAskedForOnceAndKeptForTheTabOnly() {
        String right = "right-token-" + System.nanoTime();
        try (TestServer guarded = TestServer.start(b -> b.tokens(List.of(right)));
             TestClient client = TestClient.connect(guarded.uri(), Map.of("Authorization", "Bearer " + right))) {
            TestClient.Run run = client.run(Map.of("argv", List.of("echo", "secret stuff")));
            browser.driver().get(base(guarded));
            browser.until(WAIT, "the token form", d -> d.findElement(By.id("token-input")).isDisplayed());
            assertThat(text("#token-error")).isEmpty(); // none was given yet

            enterToken("wrong-token");
            browser.until(WAIT, "the refusal", d -> text("#token-error").contains("refused"));
            assertThat(browser.driver().findElements(By.cssSelector("#executions .execution"))).isEmpty();
            assertThat(browser.js("return sessionStorage.getItem('ccx.token')")).isNull();

            enterToken(right);
            browser.until(WAIT, "the executions of that token", d -> !d.findElements(By.cssSelector(
                    rowSelector(run.started.id()))).isEmpty());
            assertThat(browser.driver().findElement(By.id("token-form")).isDisplayed()).isFalse();
            assertThat(browser.js("return sessionStorage.getItem('ccx.token')")).isEqualTo(right);
            assertThat(browser.js("return localStorage.length")).isEqualTo(0L);
            assertThat(browser.js("return document.cookie")).isEqualTo("");

            // A reload in the same tab does not ask again.
            browser.driver().navigate().refresh();
            browser.until(WAIT, "connected again with the kept token", d -> text("#conn-text").startsWith("connected")
                    && !d.findElements(By.cssSelector(rowSelector(run.started.id()))).isEmpty());
            assertThat(browser.driver().findElement(By.id("token-form")).isDisplayed()).isFalse();

            // A token in the address is taken once, kept the same way, and taken out of the address bar.
            browser.js("sessionStorage.clear()");
            browser.driver().get(base(guarded) + "?token=" + right);
            browser.until(WAIT, "connected with the token from the address", d -> !d.findElements(By.cssSelector(
                    rowSelector(run.started.id()))).isEmpty());
            assertThat(browser.driver().getCurrentUrl()).doesNotContain("token");
            assertThat(browser.js("return sessionStorage.getItem('ccx.token')")).isEqualTo(right);
            browser.js("sessionStorage.clear()");
        }
    }

    /**
     * The README's screenshot: a few executions, one running and selected, timing filled in, and Claude usage. The
     * programs are stand-ins (one script under the names {@code mvn}, {@code kubectl}, {@code claude} and
     * {@code ingest}, first on the PATH) so that the picture looks like a working day and needs no network; the
     * {@code claude} one prints the stream-json lines Claude Code prints, which the server reads for its usage.
     */
    @Test
    @EnabledIfSystemProperty(named = "ccx.screenshot", matches = ".+")
    void screenshotForTheReadme(@TempDir Path bin) throws IOException {
        Path tool = bin.resolve("stand-in");
        Files.writeString(tool, STAND_IN);
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String name : List.of("mvn", "kubectl", "claude", "ingest")) {
            Files.createSymbolicLink(bin.resolve(name), tool);
        }
        String path = bin + ":" + System.getenv("PATH");
        try (TestServer shown = TestServer.start();
             TestClient client = shown.connect()) {
            for (String[] build : new String[][] {{"0.4", ""}, {"0.6", ""}, {"0.5", ""}, {"0.9", "1"}, {"0.5", ""}}) {
                client.run(Map.of("command", "mvn -q -B package", "env", Map.of("PATH", path, "SLEEP", build[0],
                        "FAIL", build[1])));
            }
            client.run(Map.of("command", "mvn -B verify -Pit", "env", Map.of("PATH", path, "SLEEP", "1.3")));
            String[][] turns = {{"claude-sonnet-4-5", "0.0421", "1200", "860", "45210", "5230"},
                                {"claude-opus-4-1", "0.1874", "3400", "2210", "88120", "9800"},
                                {"claude-sonnet-4-5", "0.0388", "900", "640", "51002", "0"}};
            for (String[] turn : turns) {
                client.run(Map.of("argv", List.of("claude", "-p", "Fix the flaky retry test in OrderServiceTest",
                                "--output-format", "stream-json", "--verbose"),
                        "env", Map.of("PATH", path, "MODEL", turn[0], "COST", turn[1], "TOKENS",
                                String.join(" ", turn[2], turn[3], turn[4], turn[5]))));
            }
            TestClient.Started rollout = client.execute(Map.of("command", "kubectl rollout status deploy/api",
                    "env", Map.of("PATH", path)));
            client.notification("process.output", rollout.id(), 5_000);
            client.call("control", Map.of("type", "CANCEL", "execution_id", rollout.id()));
            client.drain(rollout.id(), 5_000, m -> { });
            TestClient.Started worker = client.execute(Map.of("command",
                    "ingest --source s3://events/2026-12-06 --shards 40", "env", Map.of("PATH", path)));

            browser.driver().get(base(shown));
            select(worker.id());
            browser.until(WAIT, "output, stats and usage filled in", d -> lines().size() > 40
                    && text("#usage").contains("claude-opus") && text("#stats").contains("cmd:mvn"));
            WebElement build = browser.until(WAIT, "the build's timing", d -> d.findElements(By.cssSelector(
                    "#stats tr[data-key^='cmd:mvn_package']")).stream().findFirst().orElse(null));
            build.click();
            browser.until(WAIT, "the run history chart", d -> d.findElements(By.cssSelector("#history-chart rect"))
                    .size() == 5);
            Path file = Path.of(System.getProperty("ccx.screenshot")).toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.write(file, browser.driver().getScreenshotAs(OutputType.BYTES));

            client.call("control", Map.of("type", "CANCEL", "execution_id", worker.id()));
            client.drain(worker.id(), 5_000, m -> { });
        }
    }

    /** The screenshot's programs, by the name they are called with. */
    private static final String STAND_IN = """
            #!/bin/bash
            case "${0##*/}" in
              mvn)
                echo "[INFO] Scanning for projects..."
                echo "[INFO] Building ccx-server 0.1.0-SNAPSHOT"
                sleep "${SLEEP:-0.3}"
                if [ -n "$FAIL" ]; then echo "[ERROR] OrderServiceTest.retriesOnce:42 expected 1, was 2" >&2; exit 1; fi
                echo "[INFO] BUILD SUCCESS" ;;
              kubectl)
                echo 'Waiting for deployment "api" rollout to finish: 1 of 3 updated replicas are available...'
                exec sleep 30 ;;
              claude)
                printf '{"type":"system","subtype":"init","model":"%s"}\\n' "$MODEL"
                echo '{"type":"assistant","message":{"content":[{"type":"text","text":"Found it."}]}}'
                sleep 0.3
                set -- $TOKENS
                printf '{"type":"result","subtype":"success","total_cost_usd":%s,"usage":' "$COST"
                printf '{"input_tokens":%s,"output_tokens":%s,"cache_read_input_tokens":%s,' "$1" "$2" "$3"
                printf '"cache_creation_input_tokens":%s}}\\n' "$4" ;;
              ingest)
                for i in $(seq 1 40); do
                  echo "$(date +%T) shard $i/40: $((i * 250)) events, $((i % 5 + 2)) ms/batch"
                  if [ $((i % 9)) = 0 ]; then echo "$(date +%T) warn: shard $i slow, retrying once" >&2; fi
                  sleep 0.02
                done
                while sleep 0.5; do echo "$(date +%T) idle: waiting for new objects"; done ;;
            esac
            """;

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String base(TestServer s) {
        return "http://127.0.0.1:" + s.server().port() + "/";
    }

    /** Loads the page (no execution selected) and waits until it is connected. */
    private static void open(TestServer s) {
        browser.driver().get(base(s));
        browser.until(WAIT, "the page connected", d -> text("#conn-text").startsWith("connected"));
    }

    /** Clicks the execution's row once the list shows it (it is polled every second). */
    private static void select(String id) {
        WebElement row = browser.until(WAIT, "the execution listed", d -> d.findElements(By.cssSelector(
                rowSelector(id))).stream().findFirst().orElse(null));
        row.click();
        browser.until(WAIT, "the execution selected", d -> "true".equals(row.getDomAttribute("aria-selected")));
    }

    private static String rowSelector(String id) {
        return "#executions .execution[data-id='" + id + "']";
    }

    private static void click(String id) {
        WebElement button = browser.until(WAIT, id + " enabled", d -> {
            WebElement b = d.findElement(By.id(id));
            return b.isEnabled() ? b : null;
        });
        button.click();
    }

    private static void enterToken(String token) {
        WebElement input = browser.driver().findElement(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.driver().findElement(By.id("token-submit")).click();
    }

    /** The text of the first element matching {@code css}, or "" when there is none. */
    private static String text(String css) {
        Object t = browser.js("const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", css);
        return t == null ? "" : t.toString();
    }

    private static String output() {
        return text("#output");
    }

    @SuppressWarnings("unchecked")
    private static List<String> lines() {
        return (List<String>) browser.js("return Array.from(document.querySelectorAll('#output .line'), "
                + "l => l.textContent)");
    }

    /** Ends a stdin-driven execution by closing its stdin, and waits for its end. */
    private static void end(TestClient client, TestClient.Started run) {
        client.call("stdin", Map.of("execution_id", run.id(), "data", "", "eof", true));
        assertThat(client.drain(run.id(), 5_000, m -> { }).get("reason").stringValue()).isEqualTo("exit");
    }
}
