// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example compiles against this library as it is: the snippet is read from README.md itself
 * (not a copy), wrapped in a method, and compiled with the JDK's compiler on the test classpath.
 */
class ReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path out;

    @Test
    void theReadmeJavaExampleCompiles() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = JAVA_BLOCK.matcher(readme);
        assertThat(m.find()).as("README.md has a ```java block").isTrue();
        String source = """
                import dev.ccx.client.*;
                import dev.ccx.client.claude.*;
                import java.io.OutputStream;
                import java.net.URI;
                import java.nio.charset.StandardCharsets;
                import java.time.Duration;
                import java.util.List;

                class ReadmeExample {
                    void example(URI uri, List<Command> commands) throws Exception {
                """ + m.group(1) + """
                    }
                }
                """;
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ReadmeExample.java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null, List.of("-classpath", classpath, "-d", out.toString(),
                "-proc:none"), null, List.of(file)).call();
        assertThat(ok).as("README example compiles:\n%s\n%s", errors, source).isTrue();
    }
}
