package dev.virft.rl;

import dev.virft.data.Sample;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.PixelValues;
import dev.virft.processor.QwenTokenizer;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.util.List;
import java.util.Map;

/**
 * Builds the training prompt of the original (spec §0): one user turn {@code [image, problem]}, no
 * system message (the Qwen2-VL template then adds its default one), generation prompt appended;
 * {@code <|image_pad|>} expanded to the image's token count as the HF processor does; the image
 * resized within min/max pixels.
 *
 * <p>Truncation: the original keeps the last {@code max_prompt_length} ids after the image tokens were
 * inserted, which cuts image tokens when the prompt is too long (and then generates from the
 * untruncated prompt anyway). Here a prompt whose cut part would contain vision tokens is refused
 * with a message naming the row; a cut of text only is applied as in the original.
 */
public final class QwenPromptEncoder {
  private final QwenTokenizer tokenizer;
  private final ChatTemplate template;
  private final ImageProcessor images;
  private final int maxPromptLength;

  public QwenPromptEncoder(QwenTokenizer tokenizer, ChatTemplate template, ImageProcessor images, int maxPromptLength) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.images = images;
    this.maxPromptLength = maxPromptLength;
  }

  public String chatText(String problem, boolean withImage) {
    return template.render(List.of(userTurn(problem, withImage)), true);
  }

  /**
   * The original's user message: {@code [{"type": "image"}, {"type": "text", "text": problem}]} (the
   * image first), or the text alone. Evaluation builds its prompts from the same message.
   */
  public static Map<String, Object> userTurn(String problem, boolean withImage) {
    List<Map<String, Object>> content =
        withImage
            ? List.of(Map.of("type", "image"), Map.of("type", "text", "text", problem))
            : List.of(Map.of("type", "text", "text", problem));
    return Map.of("role", "user", "content", content);
  }

  public QwenPrompt encode(Sample s) {
    boolean withImage = s.image() != null;
    String text = chatText(s.problem(), withImage);
    PixelValues pv = null;
    if (withImage) {
      pv = images.process(List.of(s.image().decode()));
      text = text.replace(QwenTokenizer.IMAGE_PAD, QwenTokenizer.IMAGE_PAD.repeat(pv.tokens(0)));
    }
    long[] ids = tokenizer.encode(text);
    if (maxPromptLength > 0 && ids.length > maxPromptLength) {
      int cut = ids.length - maxPromptLength;
      long pad = tokenizer.imagePadId();
      for (int i = 0; i < cut; i++) {
        if (ids[i] == pad || (withImage && (ids[i] == tokenizer.visionStartId() || ids[i] == tokenizer.visionEndId()))) {
          throw new VirftException(
              s.source() + ": prompt has " + ids.length + " tokens (" + (pv == null ? 0 : pv.tokens(0))
                  + " of them image tokens); --max_prompt_length " + maxPromptLength
                  + " would cut image tokens. Raise --max_prompt_length or lower --max_pixels");
        }
      }
      long[] kept = new long[maxPromptLength];
      System.arraycopy(ids, cut, kept, 0, maxPromptLength);
      ids = kept;
    }
    long[] mask = new long[ids.length];
    java.util.Arrays.fill(mask, 1L);
    return new QwenPrompt(
        Tensors.longs(ids, 1, ids.length),
        Tensors.longs(mask, 1, ids.length),
        pv == null ? null : pv.pixelValues(),
        pv == null ? null : pv.gridThw(),
        text);
  }

  /** Ids of an answer text (for SFT targets). */
  public long[] encodeText(String text) {
    return tokenizer.encode(text);
  }

  public QwenTokenizer tokenizer() {
    return tokenizer;
  }
}
