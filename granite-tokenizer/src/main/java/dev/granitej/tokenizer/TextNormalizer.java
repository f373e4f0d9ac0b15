package dev.granitej.tokenizer;

import java.text.Normalizer;
import java.util.List;

/** The supported {@code normalizer}s: Unicode normal forms, alone or in a sequence. */
record TextNormalizer(List<Normalizer.Form> forms) {
    TextNormalizer {
        forms = List.copyOf(forms);
    }

    String apply(String text) {
        for (Normalizer.Form form : forms) {
            text = Normalizer.normalize(text, form);
        }
        return text;
    }
}
