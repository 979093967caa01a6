// SPDX-License-Identifier: Apache-2.0
package dev.ccx.bench.client;

import java.util.ArrayList;
import java.util.List;

/** A markdown table; a header cell starting with {@code >} makes its column right-aligned. */
final class Table {
    private final List<String> header = new ArrayList<>();
    private final List<Boolean> right = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... cells) {
        for (String c : cells) {
            right.add(c.startsWith(">"));
            header.add(c.startsWith(">") ? c.substring(1) : c);
        }
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    String markdown() {
        StringBuilder b = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        for (boolean r : right) {
            b.append(r ? "---:|" : "---|");
        }
        b.append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return b.toString();
    }

    static String ms(double v) {
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

    static String idle(Idle.Load l) {
        return l.idlePct() + "%" + (l.quiet() ? "" : " **busy**");
    }
}
