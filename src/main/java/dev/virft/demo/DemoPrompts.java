package dev.virft.demo;

import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ProcessorOutput;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.tensor.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;

/**
 * The training prompt of a demo row as token ids, under the signatures {@code DemoSft} calls, made by
 * {@link QwenVLProcessor}'s own steps (the user turn, pad expansion on ids, left padding) so the demo
 * has no prompt code of its own. New code calls {@link QwenVLProcessor#applyChat} directly; this goes
 * once {@code DemoSft} does.
 */
final class DemoPrompts {
  /** Left-padded prompts: ids and attention mask, both [rows][maxLength]. */
  record Batch(long[][] ids, long[][] mask) {}

  private DemoPrompts() {}

  static long[] encode(QwenTokenizer tok, ChatTemplate template, String problem, int imageTokens) {
    String text = template.render(List.of(QwenVLProcessor.userTurn(problem, true)), true);
    return QwenVLProcessor.expandImagePads(tok.encode(text), tok.imagePadId(), imageTokens);
  }

  /** {@code prompts}: ids with their image pads already expanded. */
  static Batch leftPad(List<long[]> prompts, long padId) {
    try (PointerScope scope = new PointerScope()) {
      // No id is an image pad here (-1): the prompts are expanded already; only the padding is wanted.
      ProcessorOutput out = QwenVLProcessor.batch(prompts, null, -1, padId);
      return new Batch(Tensors.toLongs2d(out.inputIds()), Tensors.toLongs2d(out.attentionMask()));
    }
  }
}
