package dev.virft.demo;

import dev.virft.processor.ChatTemplate;
import dev.virft.processor.QwenTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The training prompt of a detection row as token ids: the checkpoint's chat template over one user
 * turn (image, then the problem text; no system message, as the original's grpo.py), with the image's
 * {@code <|image_pad|>} repeated once per merged patch, as Qwen2-VL's processor expands it.
 */
final class DemoPrompts {
  /** Left-padded prompts: ids and attention mask, both [rows][maxLength]. */
  record Batch(long[][] ids, long[][] mask) {}

  private DemoPrompts() {}

  static String render(ChatTemplate template, String problem) {
    List<Map<String, Object>> messages =
        List.of(
            Map.of(
                "role",
                "user",
                "content",
                List.of(Map.of("type", "image"), Map.of("type", "text", "text", problem))));
    return template.render(messages, true);
  }

  static long[] encode(QwenTokenizer tok, ChatTemplate template, String problem, int imageTokens) {
    String text = render(template, problem);
    String pad = QwenTokenizer.IMAGE_PAD;
    int at = text.indexOf(pad);
    if (at < 0 || text.indexOf(pad, at + pad.length()) >= 0) {
      throw new IllegalStateException("chat template rendered " + (at < 0 ? "no" : "several") + " image pads");
    }
    String expanded = text.substring(0, at) + pad.repeat(imageTokens) + text.substring(at + pad.length());
    return tok.encode(expanded);
  }

  static Batch leftPad(List<long[]> prompts, long padId) {
    int len = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
    long[][] ids = new long[prompts.size()][len];
    long[][] mask = new long[prompts.size()][len];
    for (int i = 0; i < prompts.size(); i++) {
      long[] p = prompts.get(i);
      int off = len - p.length;
      Arrays.fill(ids[i], padId);
      System.arraycopy(p, 0, ids[i], off, p.length);
      Arrays.fill(mask[i], off, len, 1L);
    }
    return new Batch(ids, mask);
  }
}
