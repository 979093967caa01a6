// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import dev.ccx.protocol.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A scrape of {@code /metrics}, parsed by the reference parser of the format: the official Python client's
 * {@code prometheus_client.parser} (Debian's {@code python3-prometheus-client}, which {@code .ci/run} installs),
 * not by anything of ours.
 */
public final class Prometheus {
    private static final String PARSER = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                for s in f.samples:
                    print(json.dumps({"family": f.name, "type": f.type, "name": s.name, "labels": s.labels,
                                      "value": s.value}))
            """;

    /** One sample: a family, a sample name ({@code _total}, {@code _bucket}, ...), labels and a value. */
    public record Sample(String family, String type, String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private Prometheus(List<Sample> samples) {
        this.samples = samples;
    }

    /** GETs {@code uri} with {@code headers} and parses the body; fails unless the answer is 200. */
    public static Prometheus scrape(URI uri, Map<String, String> headers) {
        HttpResponse<String> r = get(uri, headers);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    /** GETs {@code uri} with {@code headers}. */
    public static HttpResponse<String> get(URI uri, Map<String, String> headers) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            headers.forEach(b::header);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Parses an exposition with the reference parser; fails on anything it rejects. */
    public static Prometheus parse(String exposition) {
        try {
            Path script = Files.createTempFile("prom-parse", ".py");
            Files.writeString(script, PARSER);
            Path out = Files.createTempFile("prom-parse", ".jsonl");
            Path err = Files.createTempFile("prom-parse", ".err");
            try {
                Process p = new ProcessBuilder(python(), script.toString()).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(exposition.getBytes(StandardCharsets.UTF_8));
                }
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("the Prometheus parser did not finish within 30 s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("the Prometheus parser rejected the exposition: "
                            + Files.readString(err));
                }
                List<Sample> samples = new ArrayList<>();
                for (String line : Files.readAllLines(out)) {
                    JsonNode n = Wire.mapper().readTree(line);
                    Map<String, String> labels = new LinkedHashMap<>();
                    n.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().stringValue()));
                    samples.add(new Sample(n.get("family").stringValue(), n.get("type").stringValue(),
                            n.get("name").stringValue(), labels, n.get("value").asDouble()));
                }
                return new Prometheus(samples);
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run the Prometheus parser (" + python() + "): install "
                    + "python3-prometheus-client", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Debian's python3, which has the package; a python3 from elsewhere on PATH may not. */
    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The value of the sample {@code name} with exactly these labels (pairs), or {@code NaN} when absent. */
    public double value(String name, String... labelPairs) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            want.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want))
                .mapToDouble(Sample::value).findFirst().orElse(Double.NaN);
    }

    /** The sum of the samples named {@code name} over all their labels. */
    public double sum(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    /** Whether a family named {@code family} is there. */
    public boolean hasFamily(String family) {
        return samples.stream().anyMatch(s -> s.family().equals(family));
    }
}
