/**
 * Verification of OpenSSF model-signing ({@code model.sig}) bundles on the JDK alone.
 *
 * <p>The loader calls {@link dev.granitej.sig.ModelSignature#verify} before it maps any weight; the policy comes from
 * configuration ({@link dev.granitej.sig.VerificationPolicy}), for IBM Granite checkpoints
 * {@link dev.granitej.sig.VerificationPolicy#ibmDefault()} (see
 * {@link dev.granitej.sig.ModelSignature#defaultPolicyFor}). Layers, from the outside in: Sigstore bundle v0.3 →
 * DSSE envelope → in-toto statement → model-signing v1.0 predicate → files on disk. Failures are
 * {@link dev.granitej.sig.ModelVerificationException}s carrying a {@link dev.granitej.sig.ModelVerificationException.Reason}.
 * The library logs through SLF4J only and never prints.
 */
package dev.granitej.sig;
