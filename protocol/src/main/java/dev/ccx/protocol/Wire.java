// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper for wire types: snake_case property names, nulls written (the original's clients expect
 * keys such as {@code exit_code: null}), unknown properties ignored on read so newer peers can add fields.
 * Thread-safe and immutable; share it.
 */
public final class Wire {
    /** JSON-RPC version string sent in every message. */
    public static final String JSONRPC = "2.0";
    /** The WebSocket path, the same as the original's {@code core.main:app}. */
    public static final String PATH = "/ws/mcp";
    /** Largest {@code data} of one {@code process.output} message, in UTF-16 code units, as in the original. */
    public static final int CHUNK_CHARS = 65_536;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Wire() {
    }

    /** Returns the shared mapper. */
    public static JsonMapper mapper() {
        return MAPPER;
    }
}
