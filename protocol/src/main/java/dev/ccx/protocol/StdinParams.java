// SPDX-License-Identifier: Apache-2.0
package dev.ccx.protocol;

/**
 * Params of {@code stdin}. At most one of {@code data} and {@code dataBase64} is set; with neither, {@code eof} must
 * be true.
 *
 * @param executionId the execution, started with {@code stdin: true}
 * @param data        text, written as UTF-8
 * @param dataBase64  bytes, base64 (RFC 4648, standard alphabet)
 * @param eof         close the pipe after these bytes, so the process reads end of file
 */
public record StdinParams(String executionId, String data, String dataBase64, Boolean eof) {
}
