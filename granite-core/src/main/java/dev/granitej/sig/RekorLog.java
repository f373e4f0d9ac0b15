package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Checks a Rekor v1 log entry: the signed entry timestamp (which makes {@code integratedTime} a verified signing
 * time), the RFC 9162 Merkle inclusion proof, and the signed checkpoint (signed note) that commits to the proof's
 * root.
 */
final class RekorLog {

    private RekorLog() {
    }

    /** Finds the log that signed {@code entry} and checks that its key was valid at the entry's time. */
    static TrustedRoot.Log logFor(Bundle.TlogEntry entry, TrustedRoot root) throws ModelVerificationException {
        TrustedRoot.Log log = root.transparencyLog(entry.logKeyId());
        if (log == null) {
            throw new ModelVerificationException(Reason.TLOG_KEY_UNKNOWN, "log id "
                    + Base64.getEncoder().encodeToString(entry.logKeyId()) + " is not in trusted root " + root.source());
        }
        if (!Arrays.equals(log.keyId(), Crypto.sha256(log.key().getEncoded()))) {
            throw new ModelVerificationException(Reason.TRUSTED_ROOT_INVALID,
                    "trusted root log id for " + log.baseUrl() + " is not the SHA-256 of its key");
        }
        Instant t = Instant.ofEpochSecond(entry.integratedTime());
        if (!log.validAt(t)) {
            throw new ModelVerificationException(Reason.TLOG_KEY_UNKNOWN,
                    "log " + log.baseUrl() + " was not trusted at integrated time " + t);
        }
        return log;
    }

    /**
     * Verifies the signed entry timestamp over the RFC 8785 canonical JSON of
     * {@code {body, integratedTime, logID, logIndex}} (keys already in sorted order).
     */
    static void verifySignedEntryTimestamp(Bundle.TlogEntry entry, TrustedRoot.Log log)
            throws ModelVerificationException {
        String message = "{\"body\":\"" + Base64.getEncoder().encodeToString(entry.canonicalizedBody())
                + "\",\"integratedTime\":" + entry.integratedTime()
                + ",\"logID\":\"" + Crypto.hex(entry.logKeyId())
                + "\",\"logIndex\":" + entry.logIndex() + "}";
        if (!Crypto.verify(log.key(), message.getBytes(StandardCharsets.UTF_8), entry.signedEntryTimestamp())) {
            throw new ModelVerificationException(Reason.SET_INVALID,
                    "the signed entry timestamp does not verify with the key of " + log.baseUrl());
        }
    }

    /** RFC 9162 §2.1.3.2: recomputes the tree root from the leaf and the audit path. */
    static void verifyInclusion(Bundle.TlogEntry entry) throws ModelVerificationException {
        Bundle.InclusionProof proof = entry.inclusionProof();
        if (proof == null) {
            throw new ModelVerificationException(Reason.INCLUSION_PROOF_INVALID, "the log entry has no inclusion proof");
        }
        long fn = proof.logIndex();
        long sn = proof.treeSize() - 1;
        if (fn < 0 || fn > sn) {
            throw new ModelVerificationException(Reason.INCLUSION_PROOF_INVALID,
                    "proof index " + fn + " is outside tree size " + proof.treeSize());
        }
        byte[] r = Crypto.sha256(new byte[] {0}, entry.canonicalizedBody());
        for (byte[] p : proof.hashes()) {
            if (p.length != 32 || sn == 0) {
                throw new ModelVerificationException(Reason.INCLUSION_PROOF_INVALID,
                        "the audit path is longer than the tree or has a bad hash length");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = Crypto.sha256(new byte[] {1}, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = Crypto.sha256(new byte[] {1}, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0 || !MessageDigest.isEqual(r, proof.rootHash())) {
            throw new ModelVerificationException(Reason.INCLUSION_PROOF_INVALID,
                    "the inclusion proof does not lead to the stated root hash");
        }
    }

    /**
     * Verifies the checkpoint (a signed note): its tree size and root must be the proof's, and one signature line
     * must verify with the log's key over the note text.
     */
    static void verifyCheckpoint(Bundle.TlogEntry entry, TrustedRoot.Log log) throws ModelVerificationException {
        Bundle.InclusionProof proof = entry.inclusionProof();
        String note = proof.checkpoint();
        int split = note.indexOf("\n\n");
        if (split < 0) {
            throw new ModelVerificationException(Reason.CHECKPOINT_INVALID, "checkpoint has no signature block");
        }
        String text = note.substring(0, split + 1);
        List<String> lines = text.lines().toList();
        if (lines.size() < 3) {
            throw new ModelVerificationException(Reason.CHECKPOINT_INVALID, "checkpoint body has under 3 lines");
        }
        if (!lines.get(1).equals(Long.toString(proof.treeSize()))) {
            throw new ModelVerificationException(Reason.CHECKPOINT_INVALID,
                    "checkpoint tree size " + lines.get(1) + " differs from the proof's " + proof.treeSize());
        }
        if (!lines.get(2).equals(Base64.getEncoder().encodeToString(proof.rootHash()))) {
            throw new ModelVerificationException(Reason.CHECKPOINT_INVALID,
                    "checkpoint root hash differs from the inclusion proof's");
        }
        byte[] signed = text.getBytes(StandardCharsets.UTF_8);
        for (String line : note.substring(split + 2).lines().toList()) {
            if (!line.startsWith("\u2014 ")) {
                continue;
            }
            String[] parts = line.substring(2).split(" ");
            if (parts.length != 2) {
                continue;
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (blob.length <= 4 || !Arrays.equals(blob, 0, 4, log.keyId(), 0, 4)) {
                continue; // a signature by some other key (witness, other log)
            }
            if (Crypto.verify(log.key(), signed, Arrays.copyOfRange(blob, 4, blob.length))) {
                return;
            }
            throw new ModelVerificationException(Reason.CHECKPOINT_INVALID,
                    "the checkpoint signature by " + parts[0] + " does not verify");
        }
        throw new ModelVerificationException(Reason.CHECKPOINT_INVALID,
                "the checkpoint carries no signature by " + log.baseUrl());
    }
}
