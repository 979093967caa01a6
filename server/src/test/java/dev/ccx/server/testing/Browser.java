// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium, driven through Debian's chromedriver: the {@code chromium} and {@code chromium-driver}
 * packages. The driver's path is given, so Selenium Manager never runs and nothing is downloaded. The browser gets a
 * fresh profile in a temporary directory and a 1280x800 viewport. {@link #close()} quits it, deletes the profile and
 * fails if any chromedriver or chromium process of it is left (killing those first, by pid).
 */
public final class Browser implements AutoCloseable {
    private static final String DRIVER = "/usr/bin/chromedriver";
    private static final List<String> BINARIES = List.of("/usr/lib/chromium/chromium", "/usr/bin/chromium");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;
    private final String driverPort;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
        this.driverPort = String.valueOf(service.getUrl().getPort());
    }

    /** Starts chromedriver and one headless Chromium; fails, saying what to install, when they are missing. */
    public static Browser start() {
        if (!new File(DRIVER).canExecute()) {
            throw new AssertionError(DRIVER + " is missing: the dashboard test drives a real browser; install it with "
                    + "`apt-get install chromium chromium-driver`");
        }
        String binary = BINARIES.stream().filter(b -> new File(b).canExecute()).findFirst()
                .orElseThrow(() -> new AssertionError("no Chromium at " + BINARIES
                        + "; install it with `apt-get install chromium chromium-driver`"));
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.WARNING);
        // Selenium's own DevTools bindings lag behind Debian's Chromium; nothing here uses them.
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
        Path profile;
        try {
            profile = Files.createTempDirectory("ccx-chromium");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--window-size=1280,800",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        Browser browser = new Browser(service, driver, profile);
        // The window's size includes no toolbar in headless mode, but pin the viewport anyway: screenshots are
        // exactly 1280x800.
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        return browser;
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Runs {@code script} in the page and returns its value. */
    public Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** Waits at most {@code timeout}, polling every 20 ms, until {@code condition} gives neither null nor false. */
    public <T> T until(Duration timeout, String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(20)).withMessage(what).until(condition);
    }

    /** The browser's console messages since the last call (errors such as a CSP violation are SEVERE). */
    public List<String> console() {
        List<String> lines = new ArrayList<>();
        driver.manage().logs().get(LogType.BROWSER).forEach(e -> lines.add(e.getLevel() + " " + e.getMessage()));
        return lines;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            List<Long> left = Wait.untilValue(5_000, this::leftovers, List::isEmpty);
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            deleteTree(profile);
            if (!left.isEmpty()) {
                throw new AssertionError("browser processes left after quit (now killed): " + left);
            }
        }
    }

    /** Processes of this browser still running: its chromedriver, and every Chromium process of its profile. */
    private List<Long> leftovers() {
        List<Long> pids = new ArrayList<>();
        File[] entries = new File("/proc").listFiles();
        if (entries == null) {
            return pids;
        }
        for (File entry : entries) {
            String name = entry.getName();
            if (!name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            String cmdline;
            try {
                cmdline = new String(Files.readAllBytes(entry.toPath().resolve("cmdline")), StandardCharsets.UTF_8)
                        .replace('\0', ' ');
            } catch (IOException e) {
                continue; // gone meanwhile
            }
            boolean ours = cmdline.contains(profile.toString())
                    || cmdline.contains("chromedriver") && cmdline.contains("--port=" + driverPort);
            if (ours && ProcState.of(Long.parseLong(name)) != 'Z') {
                pids.add(Long.parseLong(name));
            }
        }
        return pids;
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
