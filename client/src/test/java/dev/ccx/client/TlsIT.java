// SPDX-License-Identifier: Apache-2.0
package dev.ccx.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code wss://} with the {@link ClientOptions#sslContext()} option, against a scripted TLS peer whose self-signed
 * certificate (made by the JDK's keytool, for 127.0.0.1) only that context trusts.
 */
class TlsIT {
    private static final char[] PASSWORD = "changeit".toCharArray();
    static Path dir;
    static KeyStore keyStore;

    @BeforeAll
    static void makeCertificate() throws Exception {
        dir = Files.createTempDirectory("ccx-tls");
        Path store = dir.resolve("server.p12");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process p = new ProcessBuilder(java.resolveSibling("keytool").toString(), "-genkeypair", "-alias", "ccx",
                "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "1",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as("keytool: " + out).isZero();
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
    }

    @AfterAll
    static void removeCertificate() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static FakeServer tlsPeer() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        return new FakeServer(server.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress()));
    }

    private static SSLContext trustingClient() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        return client;
    }

    @Test
    void wssWithTheGivenContextConnects() throws Exception {
        try (FakeServer fake = tlsPeer()) {
            ClientOptions options = ClientOptions.builder().sslContext(trustingClient()).build();
            CompletableFuture<CcxClient> client = CompletableFuture.supplyAsync(
                    () -> CcxClient.connect(fake.uri(), options));
            fake.send("{\"jsonrpc\":\"2.0\",\"method\":\"connected\",\"params\":{\"session_id\":\"tls-session\","
                    + "\"version\":\"0.1.0\",\"capabilities\":[\"execute\"]}}");
            try (CcxClient c = client.get(10, TimeUnit.SECONDS)) {
                assertThat(fake.uri().getScheme()).isEqualTo("wss");
                assertThat(c.sessionId()).isEqualTo("tls-session");
            }
        }
    }

    @Test
    void wssWithoutTrustFailsToConnect() throws Exception {
        try (FakeServer fake = tlsPeer()) {
            assertThatThrownBy(() -> CcxClient.connect(fake.uri(),
                    ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build()))
                    .isInstanceOf(ConnectFailedException.class);
        }
    }
}
