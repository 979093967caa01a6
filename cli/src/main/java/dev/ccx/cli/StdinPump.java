// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.RunningCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Copies this process's stdin to a running command's stdin on a thread of its own, and closes the command's stdin at
 * end of file. The thread is a daemon: it may be blocked reading a terminal when the command ends, and must not keep
 * the CLI alive then.
 */
final class StdinPump {
    private StdinPump() {
    }

    static void start(InputStream in, RunningCommand running, PrintStream err) {
        Thread t = new Thread(() -> copy(in, running, err), "ccx-stdin");
        t.setDaemon(true);
        t.start();
    }

    private static void copy(InputStream in, RunningCommand running, PrintStream err) {
        OutputStream stdin = running.stdin();
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            // available() > 0 or a blocking read: a line typed at a terminal goes out at once, a pipe in big pieces.
            while ((n = in.read(buffer)) >= 0 && !running.isDone()) {
                stdin.write(buffer, 0, n);
                if (in.available() == 0) {
                    stdin.flush();
                }
            }
            if (!running.isDone()) {
                stdin.close();
            }
        } catch (IOException e) {
            if (!running.isDone()) {
                err.println("ccx: stdin: " + e.getMessage());
            }
        }
    }
}
