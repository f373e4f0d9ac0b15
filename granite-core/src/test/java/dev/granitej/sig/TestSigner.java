package dev.granitej.sig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A minimal model_signing v1.0 signer for tests: produces a Sigstore bundle v0.3 with the public-key method over a
 * directory, signed with a key the test generates. Its output is what {@code model_signing sign key} writes (payload
 * layout, PAE, key hint), so it exercises the verifier end to end without third-party files.
 */
public final class TestSigner {

    /** The ignore list model_signing v1.1.0 records. */
    public static final List<String> IGNORE_PATHS = List.of(".git", ".gitattributes", ".github", ".gitignore",
            "model.sig");

    private final KeyPair keyPair;
    private final ObjectMapper mapper = new ObjectMapper();

    /** A signer with the given EC key pair. */
    public TestSigner(KeyPair keyPair) {
        this.keyPair = keyPair;
    }

    /** A signer with a fresh EC key on {@code curve} ({@code secp256r1}, {@code secp384r1}, {@code secp521r1}). */
    public static TestSigner withNewKey(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return new TestSigner(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signer with a fresh P-256 key. */
    public static TestSigner withNewKey() {
        return withNewKey("secp256r1");
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    /** The public key as pyca/cryptography writes it (64-column PEM). */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keyPair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** Writes {@link #publicKeyPem()} to {@code file}. */
    public Path writePublicKey(Path file) throws IOException {
        return Files.writeString(file, publicKeyPem());
    }

    /** The verification options that trust this signer's key (cache disabled). */
    public VerificationOptions options() {
        return VerificationOptions.of(new VerificationPolicy.PublicKeyPolicy(keyPair.getPublic()))
                .withCacheDirectory(null);
    }

    /** Signs every regular file of {@code modelDir} (except the ignore list) into {@code modelDir/model.sig}. */
    public Path sign(Path modelDir) throws IOException {
        Map<String, String> digests = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(modelDir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = modelDir.relativize(p).toString().replace('\\', '/');
                if (IGNORE_PATHS.stream().noneMatch(i -> rel.equals(i) || rel.startsWith(i + "/"))) {
                    digests.put(rel, sha256Hex(Files.readAllBytes(p)));
                }
            }
        }
        byte[] payload = statement(modelDir.getFileName().toString(), digests, "sha256", IGNORE_PATHS);
        return Files.write(modelDir.resolve("model.sig"), bundle(payload));
    }

    /**
     * An in-toto statement with the model-signing v1.0 predicate over {@code digests} (name to hex digest, in order),
     * with a correct root digest.
     */
    public byte[] statement(String subject, Map<String, String> digests, String hashType, List<String> ignorePaths) {
        ObjectNode st = mapper.createObjectNode();
        st.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subj = st.putArray("subject").addObject();
        subj.put("name", subject);
        byte[] concat = new byte[digests.size() * 32];
        int i = 0;
        for (String d : digests.values()) {
            System.arraycopy(HexFormat.of().parseHex(d), 0, concat, 32 * i++, 32);
        }
        subj.putObject("digest").put("sha256", sha256Hex(concat));
        st.put("predicateType", "https://model_signing/signature/v1.0");
        ObjectNode predicate = st.putObject("predicate");
        ArrayNode resources = predicate.putArray("resources");
        digests.forEach((name, d) -> resources.addObject().put("name", name).put("algorithm", hashType)
                .put("digest", d));
        ObjectNode ser = predicate.putObject("serialization");
        ser.put("method", "files").put("hash_type", hashType).put("allow_symlinks", false);
        ArrayNode ign = ser.putArray("ignore_paths");
        ignorePaths.forEach(ign::add);
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(st);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bundle v0.3 (public-key method, with key hint) whose DSSE envelope signs {@code payload} as given. */
    public byte[] bundle(byte[] payload) {
        ObjectNode b = mapper.createObjectNode();
        b.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode vm = b.putObject("verificationMaterial");
        vm.putObject("publicKey").put("hint",
                sha256Hex(publicKeyPem().getBytes(StandardCharsets.US_ASCII)));
        vm.putArray("tlogEntries");
        ObjectNode env = b.putObject("dsseEnvelope");
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        String type = "application/vnd.in-toto+json";
        env.put("payloadType", type);
        env.putArray("signatures").addObject().put("sig", Base64.getEncoder().encodeToString(sign(type, payload)))
                .put("keyid", "");
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] sign(String payloadType, byte[] payload) {
        byte[] head = ("DSSEv1 " + payloadType.length() + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        try {
            Signature s = Signature.getInstance(Crypto.algorithmFor(keyPair.getPublic()));
            s.initSign(keyPair.getPrivate());
            s.update(head);
            s.update(payload);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a tiny checkpoint into {@code dir}: a {@code config.json} and a valid one-tensor
     * {@code model.safetensors}.
     */
    public static Path writeSampleCheckpoint(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"),
                "{\"model_type\": \"granitemoehybrid\", \"hidden_size\": 4}\n");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"
                .getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + 16).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        for (int i = 0; i < 4; i++) {
            buf.putFloat(i + 0.5f);
        }
        Files.write(dir.resolve("model.safetensors"), buf.array());
        return dir;
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lists name to digest of the files {@link #sign(Path)} would sign, for tests that build custom statements. */
    public static Map<String, String> digestsOf(Path dir, List<String> names) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : new ArrayList<>(names)) {
            out.put(n, sha256Hex(Files.readAllBytes(dir.resolve(n))));
        }
        return out;
    }
}
