package dev.virft.demo;

import java.nio.charset.StandardCharsets;

/**
 * The byte → printable-character mapping of byte-level BPE (GPT-2's {@code bytes_to_unicode}, which
 * Qwen's tokenizer and the HF {@code ByteLevel} pre-tokenizer use). Needed only to write vocabulary and
 * merge strings in the form {@code tokenizer.json} expects; encoding itself is done by the Rust library.
 */
final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = build();

  private ByteLevelAlphabet() {}

  private static char[] build() {
    char[] map = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) printable[b] = true;
    for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
    for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
    int next = 256;
    for (int b = 0; b < 256; b++) map[b] = printable[b] ? (char) b : (char) next++;
    return map;
  }

  /** The character that stands for byte {@code b} (0–255). */
  static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** UTF-8 bytes of {@code text}, each written as its byte-level character. */
  static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) sb.append(charOf(b));
    return sb.toString();
  }
}
