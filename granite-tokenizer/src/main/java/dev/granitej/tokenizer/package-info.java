/** Hugging Face byte-level BPE tokenizer, chat template and tool-call parsing. */
package dev.granitej.tokenizer;
