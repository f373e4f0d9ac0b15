package dev.granitej.tokenizer;

import java.util.Arrays;

/** A growable list of ints, used as per-call scratch so that encoding does not box ids. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, size * 2);
        }
        data[size++] = v;
    }

    void addAll(int[] values, int from, int to) {
        int n = to - from;
        if (size + n > data.length) {
            data = Arrays.copyOf(data, Math.max(size + n, size * 2));
        }
        System.arraycopy(values, from, data, size, n);
        size += n;
    }

    int get(int i) {
        return data[i];
    }

    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }

    int[] copyRange(int from, int to) {
        return Arrays.copyOfRange(data, from, to);
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
