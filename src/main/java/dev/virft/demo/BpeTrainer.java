package dev.virft.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a small corpus, deterministically.
 *
 * <p>Hand-written because the Java binding of HF tokenizers (DJL) exposes encoding only, not training,
 * and no Python is available at build time. The corpus of the demo is a few thousand short strings, so
 * the plain algorithm (recount all pairs after each merge) is fast enough and easy to check. Ties between
 * equally frequent pairs are broken by the pair's text, so the same corpus always gives the same merges.
 */
final class BpeTrainer {
  /**
   * Qwen2's pre-tokenizer split (tokenizer.json → pre_tokenizer → Split). The same regex goes into the
   * demo tokenizer, so the words we learn merges for are the words the Rust library will see.
   */
  static final String QWEN_SPLIT_REGEX =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  private static final Pattern SPLIT =
      Pattern.compile(QWEN_SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS);

  /** One learned merge: the two symbols joined, in byte-level characters. */
  record Merge(String left, String right) {
    String joined() {
      return left + right;
    }
  }

  private final Map<String, Integer> wordCounts = new TreeMap<>();

  /** Adds a text that holds no added (special) token; it is pre-tokenized like the Rust library does. */
  void add(String text) {
    Matcher m = SPLIT.matcher(text);
    while (m.find()) {
      String word = ByteLevelAlphabet.encode(m.group());
      wordCounts.merge(word, 1, Integer::sum);
    }
  }

  /**
   * Learns at most {@code maxMerges} merges, stopping early when no pair occurs at least {@code minCount}
   * times.
   */
  List<Merge> train(int maxMerges, int minCount) {
    List<List<String>> words = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
      List<String> symbols = new ArrayList<>();
      e.getKey().codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
      words.add(symbols);
      counts.add(e.getValue());
    }
    List<Merge> merges = new ArrayList<>();
    while (merges.size() < maxMerges) {
      Map<Merge, Integer> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> s = words.get(w);
        for (int i = 0; i + 1 < s.size(); i++) {
          pairCounts.merge(new Merge(s.get(i), s.get(i + 1)), counts.get(w), Integer::sum);
        }
      }
      Merge best = null;
      int bestCount = 0;
      for (Map.Entry<Merge, Integer> e : pairCounts.entrySet()) {
        int c = e.getValue();
        if (c > bestCount || (c == bestCount && compare(e.getKey(), best) < 0)) {
          best = e.getKey();
          bestCount = c;
        }
      }
      if (best == null || bestCount < minCount) break;
      merges.add(best);
      for (List<String> s : words) applyMerge(s, best);
    }
    return merges;
  }

  private static int compare(Merge a, Merge b) {
    int c = a.left().compareTo(b.left());
    return c != 0 ? c : a.right().compareTo(b.right());
  }

  private static void applyMerge(List<String> symbols, Merge merge) {
    for (int i = 0; i + 1 < symbols.size(); i++) {
      if (symbols.get(i).equals(merge.left()) && symbols.get(i + 1).equals(merge.right())) {
        symbols.set(i, merge.joined());
        symbols.remove(i + 1);
      }
    }
  }
}
