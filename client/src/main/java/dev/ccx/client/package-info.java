// SPDX-License-Identifier: Apache-2.0
/**
 * The ccx client library: connect to a ccx server, run commands, batches and task lists, and follow their output.
 * Depends only on the protocol module and the JDK ({@link java.net.http.WebSocket}).
 *
 * <pre>{@code
 * try (CcxClient client = CcxClient.connect(URI.create("ws://127.0.0.1:8003/ws/mcp"), ClientOptions.defaults())) {
 *     RunningCommand rc = client.execute(Command.shell("make test").timeout(Duration.ofMinutes(10)),
 *             (stream, line) -> System.out.println(stream + ": " + line));
 *     CommandResult result = rc.await(Duration.ofMinutes(11));
 *     if (!result.succeeded()) { ... result.reason(), result.exitCode(), result.stderr() ... }
 * }
 *
 * List<TaskResult> results = Batch.of(4, Duration.ofMinutes(1)).run(uri, ClientOptions.defaults(), commands);
 * List<TaskResult> steps = TaskList.of(true, Command.shell("make"), Command.shell("make test")).run(client);
 * }</pre>
 *
 * <p>The rules every type follows:
 * <ul>
 *   <li><b>Exceptions</b> are unchecked and derive from {@link dev.ccx.client.CcxException}. How a command ended
 *       (exit code, timeout, cancel) is data in {@link dev.ccx.client.CommandResult}, never an exception.</li>
 *   <li><b>Every wait is bounded</b> by {@link dev.ccx.client.ClientOptions}: connect, request and close timeouts;
 *       a command's own wait by its deadline.</li>
 *   <li><b>Nothing the caller gave up on keeps running</b>: an {@code await} that runs out, an interrupted wait,
 *       closing a handle or the client all send CANCEL; a lost connection makes the server end its executions.
 *       The exception is what the caller asked to outlive it: a kept execution ({@link dev.ccx.client.Command#keep})
 *       runs on after {@code close()} or {@link dev.ccx.client.RunningCommand#detach()}, for its linger.</li>
 *   <li><b>Nothing is lost or repeated</b>: a kept execution's handle rides out a dropped connection (the client
 *       reconnects and attaches again from the last {@code seq} it saw), and {@link dev.ccx.client.CcxClient#attach}
 *       takes any execution up from any position the server still holds.</li>
 *   <li><b>Threads and memory</b>: one socket reader per client that never runs user code; listeners on the callback
 *       executor, in order per execution, and the reader reads on only while they keep up; all threads virtual and
 *       released on close.</li>
 * </ul>
 */
package dev.ccx.client;
