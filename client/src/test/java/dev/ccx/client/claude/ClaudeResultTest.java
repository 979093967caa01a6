// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ccx.protocol.Wire;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ClaudeResultTest {
    private static final JsonNode SCHEMA = PromptWrapper.defaultSchema();

    private static ClaudeResult answer(String text) {
        return new ClaudeResult(text, false, null, "s", 0.01, Usage.ZERO, 1, 10L, 5L, List.of(), false, List.of(),
                null, null, List.of());
    }

    private static JsonNode json(String s) {
        return Wire.mapper().readTree(s);
    }

    @Test
    void fencedJsonBlockIsExtracted() {
        ClaudeResult r = answer("""
                Here is the result:

                ```json
                {"result": "4", "summary": "added", "execution_uuid": "u-1"}
                ```
                Let me know if you need more.""").withSchema(SCHEMA);

        assertThat(r.json()).isEqualTo(json("{\"result\":\"4\",\"summary\":\"added\",\"execution_uuid\":\"u-1\"}"));
        assertThat(r.schemaErrors()).isEmpty();
        assertThat(r.ok()).isTrue();
    }

    @Test
    void untaggedFenceIsUsedWhenThereIsNoJsonFence() {
        ClaudeResult r = answer("```\n{\"result\":\"a\",\"summary\":\"b\",\"execution_uuid\":\"c\"}\n```")
                .withSchema(SCHEMA);

        assertThat(r.json().path("result").stringValue()).isEqualTo("a");
        assertThat(r.schemaErrors()).isEmpty();
    }

    @Test
    void bareObjectAfterProseIsExtracted() {
        ClaudeResult r = answer("Sure [1]. The answer {is} below:\n"
                + "{\"result\": \"x } y\", \"summary\": \"with \\\"quotes\\\" and {braces}\","
                + " \"execution_uuid\": \"u\"}"
                + "\nThanks!").withSchema(SCHEMA);

        // "[1]" is an array and "{is}" is not JSON: the object after them is the answer.
        assertThat(r.json().path("result").stringValue()).isEqualTo("x } y");
        assertThat(r.json().path("summary").stringValue()).isEqualTo("with \"quotes\" and {braces}");
        assertThat(r.schemaErrors()).isEmpty();
    }

    @Test
    void wholeTextThatIsJsonIsTakenAsIs() {
        assertThat(JsonAnswer.extract("  [1, 2, 3]\n")).contains(json("[1,2,3]"));
        assertThat(JsonAnswer.extract("noise [1] then {\"a\":1}", "object")).contains(json("{\"a\":1}"));
        assertThat(JsonAnswer.extract("noise [1] then {\"a\":1}")).contains(json("[1]"));
    }

    @Test
    void hugeTextFullOfUnbalancedBracketsIsCheap() {
        String text = "{ [".repeat(1_000_000) + "{\"a\":1}";
        long start = System.nanoTime();

        JsonAnswer.extract(text, "object");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void noJsonIsReportedAsASchemaError() {
        ClaudeResult r = answer("I could not do that, sorry.").withSchema(SCHEMA);

        assertThat(r.json()).isNull();
        assertThat(r.schemaErrors()).containsExactly("$: no JSON object found in the answer");
        assertThat(r.ok()).isFalse();
        assertThat(JsonAnswer.extract("{not: json} and [unclosed")).isEmpty();
        assertThat(JsonAnswer.extract(null)).isEmpty();
        assertThat(JsonAnswer.extract("")).isEmpty();
    }

    @Test
    void schemaMismatchNamesThePaths() {
        ClaudeResult r = answer("""
                ```json
                {"result": 4, "files_created": ["a.txt", 7], "summary": "s"}
                ```""").withSchema(SCHEMA);

        assertThat(r.json()).isNotNull();
        assertThat(r.schemaErrors()).containsExactlyInAnyOrder(
                "$: missing required property \"execution_uuid\"",
                "$.result: expected string, got integer",
                "$.files_created[1]: expected string, got integer");
        assertThat(r.ok()).isFalse();
    }

    @Test
    void schemaCheckerCoversTheSubset() {
        JsonNode schema = json("""
                {"type":"object","required":["status","count","items"],"additionalProperties":false,
                 "properties":{
                   "status":{"type":"string","enum":["ok","failed"]},
                   "count":{"type":"integer"},
                   "ratio":{"type":"number"},
                   "done":{"type":"boolean"},
                   "note":{"type":["string","null"]},
                   "items":{"type":"array","items":{"type":"object","required":["name"],
                            "properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}}}},
                   "odd key":{"type":"string"}}}""");

        assertThat(JsonSchemaCheck.validate(schema, json("""
                {"status":"ok","count":2.0,"ratio":0.5,"done":true,"note":null,
                 "items":[{"name":"a","tags":["x"]},{"name":"b"}],"odd key":"v"}"""))).isEmpty();

        assertThat(JsonSchemaCheck.validate(schema, json("""
                {"status":"maybe","count":1.5,"ratio":"half","done":"yes","note":3,
                 "items":[{"tags":["x",2]},"nope"],"odd key":1,"extra":true}""")))
                .containsExactly(
                        "$.status: \"maybe\" is not one of [\"ok\",\"failed\"]",
                        "$.count: expected integer, got number",
                        "$.ratio: expected number, got string",
                        "$.done: expected boolean, got string",
                        "$.note: expected string or null, got integer",
                        "$.items[0]: missing required property \"name\"",
                        "$.items[0].tags[1]: expected string, got integer",
                        "$.items[1]: expected object, got string",
                        "$[\"odd key\"]: expected string, got integer",
                        "$.extra: property not allowed");

        assertThat(JsonSchemaCheck.validate(schema, json("[]"))).containsExactly("$: expected object, got array");
        assertThat(JsonSchemaCheck.validate(json("true"), json("{\"anything\":1}"))).isEmpty();
    }

    @Test
    void errorsAreCapped() {
        JsonNode schema = json("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        JsonNode value = Wire.mapper().valueToTree(java.util.stream.IntStream.range(0, 500).boxed().toList());

        assertThat(JsonSchemaCheck.validate(schema, value)).hasSize(JsonSchemaCheck.MAX_ERRORS);
    }
}
