package dev.granitej.sig;

/** How the signed manifest is compared with the files on disk. */
public enum VerificationMode {
    /** The spec default: the signed files and the files present (less ignored paths) must be exactly equal. */
    STRICT,
    /**
     * Every signed file must be present and match; files present but not signed are reported, not fatal
     * ({@code --ignore_unsigned_files} in model_signing).
     */
    IGNORE_UNSIGNED,
    /**
     * <b>Not spec-conformant.</b> Only the files the engine will open are checked: each must be signed and match, and
     * every signed weight file must be present. Other signed files that are absent or not checked, and unsigned files,
     * are reported. Meant for partial downloads (weights, config, tokenizer only).
     */
    LOADED_FILES_NONCONFORMANT
}
