// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.server.testing.Firefox;
import dev.ccx.server.testing.Groups;
import dev.ccx.server.testing.TestClient;
import dev.ccx.server.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard in Firefox (Debian's firefox-esr, headless, over WebDriver BiDi): it connects with its own origin,
 * replays and follows output, shows markup as text, and cancels. {@link DashboardIT} covers the rest in Chromium.
 */
@ExtendWith(Groups.class)
class FirefoxIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String ECHOER = "echo ready; echo '<img src=x onerror=\"window.__xss=1\">'; "
            + "while IFS= read -r l; do echo \"got:$l\"; done";
    private static final String OUTPUT = "document.getElementById('output').textContent";

    private static TestServer server;
    private static Firefox firefox;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        firefox = Firefox.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (firefox != null) {
                firefox.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void replaysFollowsShowsTextAndCancels() {
        try (TestClient client = server.connect()) {
            TestClient.Started run = client.execute(Map.of("command", ECHOER, "stdin", true));
            firefox.navigate("http://127.0.0.1:" + server.server().port() + "/#" + run.id());
            firefox.until(WAIT, "document.getElementById('conn-text').textContent",
                    t -> t != null && t.startsWith("connected"));
            firefox.until(WAIT, OUTPUT, t -> t != null && t.contains("ready"));

            String marker = "marker-" + System.nanoTime();
            long t0 = System.nanoTime();
            client.call("stdin", Map.of("execution_id", run.id(), "data", marker + "\n"));
            firefox.until(Duration.ofSeconds(2), OUTPUT, t -> t.contains("got:" + marker));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_000);

            assertThat(firefox.evaluate(OUTPUT)).contains("<img src=x onerror=\"window.__xss=1\">");
            assertThat(firefox.evaluate("String(document.querySelectorAll('#output img').length)")).isEqualTo("0");
            assertThat(firefox.evaluate("typeof window.__xss")).isEqualTo("undefined");

            firefox.evaluate("document.getElementById('cancel').click()");
            firefox.until(WAIT, "(document.querySelector(\"#executions .execution[data-id='" + run.id()
                    + "'] .reason\") || {}).textContent", "canceled"::equals);
            assertThat(client.drain(run.id(), 5_000, m -> { }).get("reason").stringValue()).isEqualTo("canceled");
        }
    }
}
