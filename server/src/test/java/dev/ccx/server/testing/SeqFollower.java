// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * What one client receives of an execution of {@code seq 1 N}, checked as it arrives, over as many connections as
 * it takes: every notification's {@code seq} is one more than the last one received, and every stdout line is the
 * next number. So a lost, repeated or reordered notification fails at once, naming the first one out of place; what
 * was received in all is summed up by a digest of every notification, to compare followers.
 */
public final class SeqFollower {
    private final String executionId;
    private final MessageDigest digest;
    private long lastSeq;
    private long lines;
    private JsonNode completed;

    public SeqFollower(String executionId) {
        this.executionId = executionId;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Whether {@code m} is a notification about this execution. */
    public boolean isAbout(JsonNode m) {
        JsonNode params = m.get("params");
        return m.has("method") && params != null && executionId.equals(TestClient.text(params, "execution_id"));
    }

    /**
     * Takes {@code m} if it is a notification about this execution (checking its place), and returns whether it
     * was; anything else (responses, heartbeats, {@code connected}) is left to the caller.
     */
    public boolean accept(JsonNode m) {
        if (!isAbout(m)) {
            return false;
        }
        JsonNode params = m.get("params");
        if (completed != null) {
            throw new AssertionError("execution " + executionId + ": a notification after process.completed: " + m);
        }
        long seq = params.get("seq").longValue();
        if (seq != lastSeq + 1) {
            throw new AssertionError("execution " + executionId + ": seq " + seq + " after " + lastSeq + ": " + m);
        }
        lastSeq = seq;
        digest.update(m.toString().getBytes(StandardCharsets.UTF_8));
        switch (TestClient.text(m, "method")) {
            case "process.output" -> {
                String expected = (lines + 1) + "\n";
                if (!"stdout".equals(TestClient.text(params, "type"))
                        || !expected.equals(TestClient.text(params, "data"))) {
                    throw new AssertionError("execution " + executionId + ": expected line " + expected.strip()
                            + " at seq " + seq + ", got " + m);
                }
                lines++;
            }
            case "process.completed" -> completed = params;
            default -> { }
        }
        return true;
    }

    /**
     * Takes messages from {@code next} (a client's, in the order they arrived) until {@code line} lines have been
     * received; {@code null} from it means the connection closed, which fails.
     */
    public void readUntilLine(Supplier<JsonNode> next, long line) {
        readWhile(next, () -> lines < line);
    }

    /** Takes messages from {@code next} until {@code process.completed}, and returns its params. */
    public JsonNode readUntilCompleted(Supplier<JsonNode> next) {
        readWhile(next, () -> completed == null);
        return completed;
    }

    private void readWhile(Supplier<JsonNode> next, BooleanSupplier condition) {
        while (condition.getAsBoolean()) {
            JsonNode m = next.get();
            if (m == null) {
                throw new AssertionError("connection closed at seq " + lastSeq + ", line " + lines);
            }
            accept(m);
        }
    }

    /** The {@code seq} of the last notification received: where to attach from. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Lines received. */
    public long lines() {
        return lines;
    }

    /** A digest of every notification received, in order. */
    public String digest() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests clone", e);
        }
    }
}
