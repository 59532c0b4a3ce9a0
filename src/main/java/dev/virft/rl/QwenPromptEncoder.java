package dev.virft.rl;

import dev.virft.data.Sample;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.ProcessorOutput;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.QwenVLProcessor;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * A dataset row as the original's training prompt (spec §0), through the shared {@link QwenVLProcessor}:
 * one user turn {@code [image, problem]}, no system message (the Qwen2-VL template then adds its
 * default one), generation prompt appended, image pads expanded, {@code max_prompt_length} applied (an
 * error naming the row where the cut would reach the image).
 */
public final class QwenPromptEncoder {
  private final QwenVLProcessor processor;

  public QwenPromptEncoder(QwenVLProcessor processor) {
    this.processor = processor;
  }

  /** {@code maxPromptLength} 0: no limit. */
  public QwenPromptEncoder(QwenTokenizer tokenizer, ChatTemplate template, ImageProcessor images, int maxPromptLength) {
    this(new QwenVLProcessor(tokenizer, template, images, tokenizer.padId()).withMaxPromptLength(maxPromptLength));
  }

  public QwenPrompt encode(Sample s) {
    boolean withImage = s.image() != null;
    List<Map<String, Object>> messages = List.of(QwenVLProcessor.userTurn(s.problem(), withImage));
    String text = processor.prompt(messages, true);
    List<BufferedImage> images = withImage ? List.of(s.image().decode()) : List.of();
    ProcessorOutput out = processor.encode(String.valueOf(s.source()), text, images);
    return new QwenPrompt(out.inputIds(), out.attentionMask(), out.pixelValues(),
        withImage ? out.imageGridThw() : null, text);
  }

  public QwenTokenizer tokenizer() {
    return processor.tokenizer();
  }
}
