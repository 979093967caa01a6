// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client.claude;

import java.util.List;

/**
 * Recorded-style stream-json lines of {@code claude -p ... --output-format stream-json --verbose}. The shapes follow
 * the Agent SDK's message types (SDKSystemMessage, SDKAssistantMessage, SDKUserMessage, SDKPartialAssistantMessage,
 * SDKResultMessage), the {@code api_retry} and {@code rate_limit_event} objects built by Claude Code 2.1.330, and
 * the lines the original cc_executor saved; ids, counts and texts are made up.
 */
final class Fixtures {
    private Fixtures() {
    }

    static List<String> lines(String block) {
        return block.lines().toList();
    }

    static final String INIT = """
            {"type":"system","subtype":"init","cwd":"/work/repo","session_id":"8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11",\
            "tools":["Task","Bash","Glob","Grep","Read","Edit","Write","WebFetch","TodoWrite"],\
            "mcp_servers":[{"name":"github","status":"connected"},{"name":"db","status":"failed"}],\
            "model":"claude-sonnet-4-5-20250929","permissionMode":"acceptEdits","slash_commands":["compact","review"],\
            "apiKeySource":"none","claude_code_version":"2.1.330","output_style":"default","agents":[],\
            "uuid":"0b6c9a4e-0000-4000-8000-000000000001"}""";

    /** A one-turn answer. */
    static final String SIMPLE = INIT + "\n" + """
            {"type":"assistant","message":{"id":"msg_01AbC","type":"message","role":"assistant",\
            "model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"4"}],"stop_reason":null,\
            "stop_sequence":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":1200,\
            "cache_read_input_tokens":14000,"output_tokens":1,"service_tier":"standard"}},\
            "parent_tool_use_id":null,"session_id":"8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11",\
            "uuid":"0b6c9a4e-0000-4000-8000-000000000002"}
            {"type":"result","subtype":"success","is_error":false,"duration_ms":2710,"duration_api_ms":2502,\
            "num_turns":1,"result":"4","stop_reason":"end_turn","session_id":"8f1c2a9e-5b7d-4e1f-9a3c-2d6b0e4f7a11",\
            "total_cost_usd":0.0123,"usage":{"input_tokens":3,"cache_creation_input_tokens":1200,\
            "cache_read_input_tokens":14000,"output_tokens":5,"server_tool_use":{"web_search_requests":0},\
            "service_tier":"standard"},"modelUsage":{},"permission_denials":[],\
            "uuid":"0b6c9a4e-0000-4000-8000-000000000003"}
            """;

    /**
     * A tool-use turn: one response with text and a tool call, split into two assistant lines sharing message id and
     * usage, then the tool result, then the final response.
     */
    static final String TOOL_TURN = INIT + "\n" + """
            {"type":"assistant","message":{"id":"msg_01T1","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"thinking","thinking":"The user wants a file.","signature":"sig"}],\
            "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":500,"output_tokens":40}},\
            "parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"assistant","message":{"id":"msg_01T1","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"text","text":"I'll create the file."}],\
            "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":500,"output_tokens":40}},\
            "parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"assistant","message":{"id":"msg_01T1","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"tool_use","id":"toolu_01W","name":"Write",\
            "input":{"file_path":"/work/repo/hello.txt","content":"hello\\n"}}],\
            "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":500,"output_tokens":40}},\
            "parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01W","type":"tool_result",\
            "content":"File created successfully at: /work/repo/hello.txt"}]},"parent_tool_use_id":null,\
            "session_id":"s-tool","tool_use_result":{"type":"create","filePath":"/work/repo/hello.txt"}}
            {"type":"assistant","message":{"id":"msg_01T1","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"tool_use","id":"toolu_02B","name":"Bash",\
            "input":{"command":"cat /work/repo/missing","description":"Show it"}}],\
            "stop_reason":"tool_use","usage":{"input_tokens":10,"cache_read_input_tokens":500,"output_tokens":40}},\
            "parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_02B",\
            "content":[{"type":"text","text":"cat: /work/repo/missing: No such file or directory"}],\
            "is_error":true}]},"parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"assistant","message":{"id":"msg_01T2","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"text","text":"Done: hello.txt exists."}],"stop_reason":"end_turn",\
            "usage":{"input_tokens":7,"cache_read_input_tokens":700,"output_tokens":12}},\
            "parent_tool_use_id":null,"session_id":"s-tool"}
            {"type":"result","subtype":"success","is_error":false,"duration_ms":9000,"duration_api_ms":7000,\
            "num_turns":3,"result":"Done: hello.txt exists.","session_id":"s-tool","total_cost_usd":0.05,\
            "usage":{"input_tokens":17,"cache_creation_input_tokens":0,"cache_read_input_tokens":1200,\
            "output_tokens":52}}
            """;

    /** {@code --include-partial-messages}: the streamed events of one response, then its complete message. */
    static final String PARTIAL = INIT + "\n" + """
            {"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_01P","type":"message",\
            "role":"assistant","model":"m","content":[],"stop_reason":null,\
            "usage":{"input_tokens":4,"cache_read_input_tokens":900,"output_tokens":1}}},\
            "session_id":"s-part","parent_tool_use_id":null,"uuid":"u1"}
            {"type":"stream_event","event":{"type":"content_block_start","index":0,\
            "content_block":{"type":"text","text":""}},"session_id":"s-part","parent_tool_use_id":null,"uuid":"u2"}
            {"type":"stream_event","event":{"type":"content_block_delta","index":0,\
            "delta":{"type":"text_delta","text":"Hel"}},"session_id":"s-part","parent_tool_use_id":null,"uuid":"u3"}
            {"type":"stream_event","event":{"type":"content_block_delta","index":0,\
            "delta":{"type":"text_delta","text":"lo, "}},"session_id":"s-part","parent_tool_use_id":null,"uuid":"u4"}
            {"type":"stream_event","event":{"type":"content_block_delta","index":0,\
            "delta":{"type":"text_delta","text":"world"}},"session_id":"s-part","parent_tool_use_id":null,"uuid":"u5"}
            {"type":"stream_event","event":{"type":"content_block_stop","index":0},"session_id":"s-part",\
            "parent_tool_use_id":null,"uuid":"u6"}
            {"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":"end_turn",\
            "stop_sequence":null},"usage":{"output_tokens":6}},"session_id":"s-part","parent_tool_use_id":null,\
            "uuid":"u7"}
            {"type":"stream_event","event":{"type":"message_stop"},"session_id":"s-part","parent_tool_use_id":null,\
            "uuid":"u8"}
            {"type":"assistant","message":{"id":"msg_01P","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"text","text":"Hello, world"}],"stop_reason":"end_turn",\
            "usage":{"input_tokens":4,"cache_read_input_tokens":900,"output_tokens":6}},\
            "parent_tool_use_id":null,"session_id":"s-part"}
            {"type":"result","subtype":"success","is_error":false,"duration_ms":1500,"duration_api_ms":1400,\
            "num_turns":1,"result":"Hello, world","session_id":"s-part","total_cost_usd":0.002,\
            "usage":{"input_tokens":4,"cache_read_input_tokens":900,"output_tokens":6}}
            """;

    /** The CLI retrying overload and rate limits itself (Claude Code 2.1.330's api_retry object), then succeeding. */
    static final String API_RETRY = INIT + "\n" + """
            {"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":527,\
            "error_status":529,"error":"overloaded","session_id":"s-retry","uuid":"r1"}
            {"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":1130,\
            "error_status":429,"error":"rate_limit","session_id":"s-retry","uuid":"r2"}
            {"type":"system","subtype":"api_retry","attempt":3,"max_retries":10,"retry_delay_ms":2210,\
            "error_status":null,"error":"unknown","session_id":"s-retry","uuid":"r3"}
            {"type":"assistant","message":{"id":"msg_01R","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":2,"output_tokens":1}},\
            "parent_tool_use_id":null,"session_id":"s-retry"}
            {"type":"result","subtype":"success","is_error":false,"duration_ms":6000,"duration_api_ms":1000,\
            "num_turns":1,"result":"ok","session_id":"s-retry","total_cost_usd":0.001,\
            "usage":{"input_tokens":2,"output_tokens":1}}
            """;

    /** Ran out of turns: the result has no {@code result} text. */
    static final String MAX_TURNS = INIT + "\n" + """
            {"type":"assistant","message":{"id":"msg_01M","type":"message","role":"assistant","model":"m",\
            "content":[{"type":"text","text":"Let me look at the tests."},\
            {"type":"tool_use","id":"toolu_03G","name":"Glob","input":{"pattern":"**/*Test.java"}}],\
            "usage":{"input_tokens":5,"output_tokens":20}},"parent_tool_use_id":null,"session_id":"s-max"}
            {"type":"result","subtype":"error_max_turns","is_error":true,"duration_ms":4000,"duration_api_ms":3000,\
            "num_turns":1,"session_id":"s-max","total_cost_usd":0.01,"usage":{"input_tokens":5,"output_tokens":20},\
            "errors":[]}
            """;

    /** An error during execution with details in {@code errors}. */
    static final String DURING_EXECUTION = """
            {"type":"result","subtype":"error_during_execution","is_error":true,"duration_ms":300,\
            "duration_api_ms":0,"num_turns":0,"session_id":"s-exec","total_cost_usd":0,\
            "usage":{"input_tokens":0,"output_tokens":0},"errors":["Tool permission request failed: denied"]}
            """;

    /** A failed API call: the CLI reports it as subtype success with is_error true. */
    static final String API_ERROR_429 = """
            {"type":"assistant","message":{"id":"msg_err","type":"message","role":"assistant","model":"<synthetic>",\
            "content":[{"type":"text","text":"API Error: 429 {\\"type\\":\\"error\\",\\"error\\":{\\"type\\":\
            \\"rate_limit_error\\",\\"message\\":\\"This request would exceed your account's rate limit.\\"}}"}],\
            "usage":{"input_tokens":0,"output_tokens":0}},"parent_tool_use_id":null,"session_id":"s-429",\
            "error":"rate_limit"}
            {"type":"result","subtype":"success","is_error":true,"duration_ms":12000,"duration_api_ms":0,\
            "num_turns":1,"result":"API Error: 429 {\\"type\\":\\"error\\",\\"error\\":{\\"type\\":\
            \\"rate_limit_error\\",\\"message\\":\\"This request would exceed your account's rate limit.\\"}}",\
            "session_id":"s-429","total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0},\
            "api_error_status":429}
            """;

    /** The older CLIs' usage-limit result text, {@code Claude AI usage limit reached|<epoch seconds>}. */
    static final String USAGE_LIMIT_EPOCH = """
            {"type":"result","subtype":"success","is_error":true,"duration_ms":800,"duration_api_ms":0,\
            "num_turns":1,"result":"Claude AI usage limit reached|1750708800","session_id":"s-usage",\
            "total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0}}
            """;

    /** A newer CLI's rate_limit_event (rejected) and its usage-limit text. */
    static final String USAGE_LIMIT_EVENT = """
            {"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1764000000,\
            "rateLimitType":"five_hour","isUsingOverage":false},"uuid":"e1","session_id":"s-rl"}
            {"type":"result","subtype":"success","is_error":true,"duration_ms":500,"duration_api_ms":0,\
            "num_turns":1,"result":"You've hit your limit · resets 3pm (Europe/Paris)","session_id":"s-rl",\
            "total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0}}
            """;

    /** Lines of types this parser does not model, and new fields on known ones. */
    static final String UNKNOWN_TYPES = """
            {"type":"system","subtype":"compact_boundary","compact_metadata":{"trigger":"auto","pre_tokens":150000}}
            {"type":"system","subtype":"status","status":"compacting","session_id":"s-u"}
            {"type":"tool_progress","tool_use_id":"toolu_9","tool_name":"Bash","elapsed_time_seconds":31}
            {"type":"brand_new_thing","payload":{"x":[1,2,3]}}
            {"type":"user","message":{"role":"user","content":"a replayed prompt"},"session_id":"s-u"}
            {"type":"assistant","message":{"id":"msg_U","content":[{"type":"text","text":"hi","citations":null,\
            "future_field":{"nested":true}}],"usage":{"input_tokens":"not a number","output_tokens":2}},\
            "parent_tool_use_id":null,"session_id":"s-u","another_future_field":1}
            """;

    /** Lines that are not stream-json objects. */
    static final List<String> GARBAGE = List.of(
            "not json at all",
            "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"cut off",
            "[1,2,3]",
            "42",
            "\"just a string\"",
            "{\"type\":42,\"subtype\":[]}",
            "{}",
            "{\"type\":\"assistant\",\"message\":\"not an object\"}",
            "{\"type\":\"result\",\"is_error\":\"yes\",\"num_turns\":\"many\",\"usage\":[]}",
            "\u0000\u0001\u0002",
            "Error: something printed by a wrapper script",
            "}{");
}
