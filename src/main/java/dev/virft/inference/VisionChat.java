package dev.virft.inference;

import dev.virft.model.GenerationConfig;
import dev.virft.model.GenerationOutput;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ImageLoader;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.ProcessorOutput;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.tensor.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.PointerScope;

/**
 * A checkpoint ready to answer questions about images, as the original's evaluation scripts run it:
 * the processor of {@code processorDir} (the scripts load it from the base model), chat template over
 * {@code [system?, user [image, text]]} with the generation prompt, a left-padded batch, and
 * {@code generate} with the checkpoint's {@code generation_config.json} (sampling settings,
 * repetition penalty, stop ids) and only {@code max_new_tokens} set, answers decoded without special
 * tokens. Vision placeholder ids are never generated, besides the config's own suppressed ids (a weak
 * model would otherwise emit image pads with no image behind them).
 */
public final class VisionChat implements AutoCloseable {
  /**
   * @param maxNewTokens the cap on generated tokens (the scripts pass 1024; LISA 128)
   * @param minPixels, maxPixels image resizing bounds; null keeps the processor config's
   */
  public record Settings(Path model, Path processor, Device device, int maxNewTokens, Long minPixels, Long maxPixels) {}

  private final QwenVLModel model;
  private final QwenVLProcessor processor;
  private final GenerationConfig generation;

  private VisionChat(QwenVLModel model, QwenVLProcessor processor, GenerationConfig generation) {
    this.model = model;
    this.processor = processor;
    this.generation = generation;
  }

  public static VisionChat load(Settings s) {
    Path procDir = s.processor() == null ? s.model() : s.processor();
    QwenVLProcessor proc = QwenVLProcessor.fromCheckpoint(procDir);
    if (s.minPixels() != null || s.maxPixels() != null) {
      ImageProcessor ip = proc.imageProcessor();
      long min = s.minPixels() != null ? s.minPixels() : ip.config().minPixels();
      long max = s.maxPixels() != null ? s.maxPixels() : ip.config().maxPixels();
      proc = proc.withImageProcessor(ip.withPixels(min, max));
    }
    QwenVLModel model;
    try {
      model = QwenVLModel.load(s.model(), s.device());
    } catch (RuntimeException e) {
      proc.close();
      throw e;
    }
    GenerationConfig fromFile = GenerationConfig.fromCheckpoint(s.model()).withMaxNewTokens(s.maxNewTokens());
    GenerationConfig gen = fromFile.withSuppressedTokens(LongStream.concat(
        LongStream.of(fromFile.suppressTokenIds()), LongStream.of(model.config().visionTokenIds())).distinct().toArray());
    return new VisionChat(model, proc, gen);
  }

  /**
   * A chat over a model and processor already loaded, generating with {@code generation} as given (the
   * demo's greedy evaluation); closing it closes both.
   */
  public static VisionChat of(QwenVLModel model, QwenVLProcessor processor, GenerationConfig generation) {
    return new VisionChat(model, processor, generation);
  }

  public GenerationConfig generation() {
    return generation;
  }

  /** The chat of one query: the system message if any, then the user turn {@code [image, text]}. */
  public static List<Map<String, Object>> messages(ModelQuery q) {
    List<Map<String, Object>> messages = new ArrayList<>();
    if (q.system() != null) {
      messages.add(Map.of("role", "system", "content", q.system()));
    }
    messages.add(QwenVLProcessor.userTurn(q.text(), true));
    return messages;
  }

  /** The answers to a batch of queries, in order. */
  public List<String> answer(List<ModelQuery> batch) {
    List<List<Map<String, Object>>> conversations = new ArrayList<>();
    List<BufferedImage> images = new ArrayList<>();
    for (ModelQuery q : batch) {
      conversations.add(messages(q));
      images.add(ImageLoader.read(q.image()));
    }
    return answer(conversations, images);
  }

  /**
   * The answers to a batch of chats, each with one {@code {"type": "image"}} part for its image (images
   * already decoded, e.g. a dataset row's), in order.
   */
  public List<String> answer(List<? extends List<? extends Map<String, ?>>> conversations, List<BufferedImage> images) {
    if (conversations.size() != images.size()) {
      throw new IllegalArgumentException(conversations.size() + " chats but " + images.size() + " images");
    }
    if (conversations.isEmpty()) {
      return List.of();
    }
    try (PointerScope scope = new PointerScope()) {
      ProcessorOutput in = processor.applyChat(conversations, images.stream().map(List::of).toList());
      GenerationOutput out =
          model.generate(in.inputIds(), in.attentionMask(), in.pixelValues(), in.imageGridThw(), generation);
      List<String> answers = new ArrayList<>(conversations.size());
      for (int i = 0; i < conversations.size(); i++) {
        answers.add(processor.tokenizer().decode(Arrays.copyOf(out.tokens()[i], out.lengths()[i]), true));
      }
      return answers;
    }
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      processor.close();
    }
  }
}
