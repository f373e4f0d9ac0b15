package dev.granitej.sig.cli;

import dev.granitej.sig.TestSigner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code granite verify}: exit codes, the one-line summary, and the reason on failure. */
class VerifyCommandTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VerifyCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void publicKeyVerifiesAndPrintsOneLine() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Path pem = signer.writePublicKey(tmp.resolve("pub.pem"));
        assertEquals(0, run("--model", model.toString(), "--public-key", pem.toString(), "--no-cache"), stderr());
        assertEquals(1, stdout().lines().count());
        assertTrue(stdout().startsWith("OK "));
        assertTrue(stderr().contains("hashing ["), "progress bar on stderr");
    }

    @Test
    void tamperedWeightFailsWithTheReason() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Path pem = signer.writePublicKey(tmp.resolve("pub.pem"));
        Files.writeString(model.resolve("config.json"), "{}");
        assertEquals(1, run("--model", model.toString(), "--public-key", pem.toString(), "--no-cache"));
        assertTrue(stderr().contains("FILE_DIGEST_MISMATCH") && stderr().contains("config.json"), stderr());
        assertEquals("", stdout());
    }

    @Test
    void unsignedFilesAreReportedWhenIgnored() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Files.writeString(model.resolve("extra.txt"), "x");
        Path pem = signer.writePublicKey(tmp.resolve("pub.pem"));
        assertEquals(1, run("--model", model.toString(), "--public-key", pem.toString(), "--no-cache"));
        err.reset();
        assertEquals(0, run("--model", model.toString(), "--public-key", pem.toString(), "--no-cache",
                "--ignore-unsigned-files"));
        assertTrue(stderr().contains("unsigned file present: extra.txt"), stderr());
    }

    @Test
    void sigstoreFixtureWithIdentityAndIssuer() {
        Path fixture = Path.of("").toAbsolutePath();
        Path dir = null;
        for (Path p = fixture; p != null && dir == null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("fixtures/model-signing/model-transparency/v1.1.0-sigstore");
            if (Files.isDirectory(c)) {
                dir = c;
            }
        }
        Assumptions.assumeTrue(dir != null, "shared/fixtures/model-signing absent, skipping");
        assertEquals(0, run("--model", dir.toString(), "--identity", "stefanb@us.ibm.com",
                "--issuer", "https://sigstore.verify.ibm.com/oauth2", "--no-cache"), stderr());
        assertTrue(stdout().contains("stefanb@us.ibm.com") && stdout().contains("Rekor log index 598151086"));
        err.reset();
        assertEquals(1, run("--model", dir.toString(), "--identity", "Granite-sign@ibm.com",
                "--issuer", "https://sigstore.verify.ibm.com/oauth2", "--no-cache"));
        assertTrue(stderr().contains("IDENTITY_MISMATCH"), stderr());
    }

    @Test
    void usageErrors() throws Exception {
        assertEquals(2, run());
        assertEquals(2, run("--model", tmp.toString(), "--bogus"));
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        assertEquals(2, run("--model", model.toString()), "no method and not a Granite checkpoint");
        assertEquals(2, run("--model", model.toString(), "--identity", "*@ibm.com", "--issuer", "https://x"));
        assertEquals(2, run("--model", model.toString(), "--identity", "a@b.c"));
    }
}
