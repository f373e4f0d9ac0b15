package dev.granitej.io;

/** Element types a safetensors file may declare, with their sizes in bytes. */
public enum DType {
    F32(4), BF16(2), F16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The dtype for a safetensors header string such as {@code "BF16"}, or {@code null} if unknown. */
    static DType fromHeader(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
