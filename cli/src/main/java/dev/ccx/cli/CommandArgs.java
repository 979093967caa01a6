// SPDX-License-Identifier: Apache-2.0
package dev.ccx.cli;

import dev.ccx.client.Command;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command a subcommand acts on: the words after {@code --}, as argv or, with {@code --shell}, one shell line.
 * A {@code @Mixin} where the command is required; an {@code @ArgGroup(multiplicity = "0..1")} where it is optional.
 */
final class CommandArgs {
    @Option(names = "--shell", description = "Treat the words as one shell command line instead of as argv.")
    boolean shell;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The program and its arguments (after --).")
    List<String> words;

    /** The command to send. */
    Command toCommand() {
        return shell ? Command.shell(String.join(" ", words)) : Command.argv(words);
    }
}
