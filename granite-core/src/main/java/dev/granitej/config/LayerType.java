package dev.granitej.config;

/** The token mixer of a decoder layer. */
public enum LayerType {
    /** Mamba-2 selective state-space mixer (config spellings {@code mamba}, {@code linear_attention}). */
    MAMBA,
    /** Causal grouped-query attention (config spellings {@code attention}, {@code full_attention}). */
    ATTENTION;

    static LayerType parse(String s, int index) {
        return switch (s) {
            case "mamba", "linear_attention" -> MAMBA;
            case "attention", "full_attention" -> ATTENTION;
            default -> throw new ConfigException("layer_types[" + index + "] is '" + s
                    + "'; expected mamba/linear_attention or attention/full_attention");
        };
    }
}
