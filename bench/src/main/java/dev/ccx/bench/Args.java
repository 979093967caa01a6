// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String str(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    String str(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    int integer(String name, int dflt) {
        String v = values.get(name);
        return v == null ? dflt : Integer.parseInt(v);
    }

    long pid(String name) {
        String v = values.get(name);
        return v == null ? -1 : Long.parseLong(v);
    }

    URI uri(String name) {
        return URI.create(str(name));
    }

    Results results() {
        String v = values.get("out");
        return new Results(v == null ? null : Path.of(v));
    }
}
