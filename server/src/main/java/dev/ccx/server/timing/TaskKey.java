// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.timing;

/**
 * Which kind of task a run was: runs with the same key share their history. The two parts are the original's
 * {@code {category}:{name}}, and appear as such in Redis keys ({@code cc_executor:times:{category}:{name}:history}).
 *
 * @param category broad family, e.g. {@code claude} or {@code cmd}; [a-z0-9_.-] only
 * @param name     the task within the family, e.g. {@code code_m} or {@code git_status}; [a-z0-9_.-] only
 */
public record TaskKey(String category, String name) {
    public TaskKey {
        if (!category.matches("[a-z0-9_.-]{1,64}") || !name.matches("[a-z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("task key parts must match [a-z0-9_.-]: " + category + ":" + name);
        }
    }

    @Override
    public String toString() {
        return category + ":" + name;
    }
}
