package dev.virft.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Qwen2-VL's processor, the one path from chat messages and images to model inputs for training,
 * evaluation, inference and the demo: the chat template renders each conversation (generation prompt
 * appended), each image's single {@code <|image_pad|>} becomes {@code t*h*w / merge²} pads (its grid from
 * the image processor), as transformers' {@code Qwen2VLProcessor.__call__} expands them, each prompt is
 * cut to {@code max_prompt_length} when one is set, and the batch is left padded.
 *
 * <p>Expansion happens on token ids rather than on the text: {@code <|image_pad|>} is an added token,
 * so the tokenizer splits the text at it either way and both give the same ids.
 *
 * <p>Truncation: the original keeps the last {@code max_prompt_length} ids after the image tokens were
 * inserted, which cuts image tokens when the prompt is too long (and then generates from the
 * untruncated prompt anyway). Here a prompt whose cut part would contain vision tokens is refused
 * with a message naming the sample; a cut of text only is applied as in the original.
 */
public final class QwenVLProcessor implements AutoCloseable {
  private final QwenTokenizer tokenizer;
  private final ChatTemplate template;
  private final ImageProcessor images;
  private final long padId;
  private final int maxPromptLength;

  public QwenVLProcessor(QwenTokenizer tokenizer, ChatTemplate template, ImageProcessor images, long padId) {
    this(tokenizer, template, images, padId, 0);
  }

  private QwenVLProcessor(QwenTokenizer tokenizer, ChatTemplate template, ImageProcessor images, long padId,
      int maxPromptLength) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.images = images;
    this.padId = padId;
    this.maxPromptLength = maxPromptLength;
  }

  /** Tokenizer, chat template and image processor of a checkpoint; pads with the tokenizer's pad token. */
  public static QwenVLProcessor fromCheckpoint(Path dir) {
    QwenTokenizer tok = QwenTokenizer.fromCheckpoint(dir);
    return new QwenVLProcessor(tok, ChatTemplate.fromCheckpoint(dir), ImageProcessor.fromCheckpoint(dir), tok.padId());
  }

  public QwenVLProcessor withPadId(long id) {
    return new QwenVLProcessor(tokenizer, template, images, id, maxPromptLength);
  }

  public QwenVLProcessor withImageProcessor(ImageProcessor p) {
    return new QwenVLProcessor(tokenizer, template, p, padId, maxPromptLength);
  }

  /** Keeps the last {@code n} ids of each prompt (0: no limit), refusing a cut through vision tokens. */
  public QwenVLProcessor withMaxPromptLength(int n) {
    if (n < 0) {
      throw new VirftException("max_prompt_length is " + n + ", expected >= 0 (0: no limit)");
    }
    return new QwenVLProcessor(tokenizer, template, images, padId, n);
  }

  /**
   * The original's user message: {@code [{"type": "image"}, {"type": "text", "text": text}]} (the
   * image first), or the text alone. Training, evaluation, inference and the demo all send it.
   */
  public static Map<String, Object> userTurn(String text, boolean withImage) {
    List<Map<String, Object>> content =
        withImage
            ? List.of(Map.of("type", "image"), Map.of("type", "text", "text", text))
            : List.of(Map.of("type", "text", "text", text));
    return Map.of("role", "user", "content", content);
  }

  public QwenTokenizer tokenizer() {
    return tokenizer;
  }

  public ChatTemplate template() {
    return template;
  }

  public ImageProcessor imageProcessor() {
    return images;
  }

  public long padId() {
    return padId;
  }

  public int maxPromptLength() {
    return maxPromptLength;
  }

  /** The prompt text of one conversation. */
  public String prompt(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
    return template.render(messages, addGenerationPrompt);
  }

  public String prompt(JsonNode messages, boolean addGenerationPrompt) {
    return template.render(messages, addGenerationPrompt);
  }

  /**
   * Renders each conversation (with the generation prompt) and encodes the batch. {@code imagesPerSample}
   * holds each sample's images in the order of their {@code {"type": "image"}} parts.
   */
  public ProcessorOutput applyChat(List<? extends List<? extends Map<String, ?>>> conversations,
      List<? extends List<BufferedImage>> imagesPerSample) {
    List<String> prompts = new ArrayList<>();
    for (List<? extends Map<String, ?>> c : conversations) {
      prompts.add(template.render(c, true));
    }
    return encode(prompts, imagesPerSample);
  }

  /** One conversation as a batch of one (no padding); {@code label} names it in errors (a dataset row). */
  public ProcessorOutput applyChat(String label, List<? extends Map<String, ?>> messages, List<BufferedImage> images) {
    return encode(label, template.render(messages, true), images);
  }

  /** One rendered prompt as a batch of one (no padding); {@code label} names it in errors. */
  public ProcessorOutput encode(String label, String prompt, List<BufferedImage> images) {
    return encode(List.of(label), List.of(prompt), List.of(images));
  }

  /** Encodes rendered prompts, each holding one {@code <|image_pad|>} per image of its sample. */
  public ProcessorOutput encode(List<String> prompts, List<? extends List<BufferedImage>> imagesPerSample) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      labels.add("sample " + i);
    }
    return encode(labels, prompts, imagesPerSample);
  }

  private ProcessorOutput encode(List<String> labels, List<String> prompts,
      List<? extends List<BufferedImage>> imagesPerSample) {
    if (prompts.size() != imagesPerSample.size()) {
      throw new IllegalArgumentException(prompts.size() + " prompts but " + imagesPerSample.size() + " image lists");
    }
    List<BufferedImage> all = new ArrayList<>();
    imagesPerSample.forEach(all::addAll);
    PixelValues pv = all.isEmpty() ? null : images.process(all);
    List<long[]> ids = new ArrayList<>();
    for (String p : prompts) {
      ids.add(tokenizer.encode(p));
    }
    long imagePad = tokenizer.imagePadId();
    for (int i = 0; i < prompts.size(); i++) {
      int pads = count(ids.get(i), imagePad);
      if (pads != imagesPerSample.get(i).size()) {
        throw new VirftException(labels.get(i) + ": the prompt has " + pads + " " + QwenTokenizer.IMAGE_PAD
            + " tokens but " + imagesPerSample.get(i).size() + " images were given");
      }
    }
    long[][] expanded = expand(ids, pv, imagePad);
    if (maxPromptLength > 0) {
      int image = 0;
      for (int i = 0; i < expanded.length; i++) {
        int n = imagesPerSample.get(i).size();
        int imageTokens = 0;
        for (int k = 0; k < n; k++) {
          imageTokens += pv.tokens(image++);
        }
        expanded[i] = truncate(labels.get(i), expanded[i], n > 0, imageTokens);
      }
    }
    return leftPad(expanded, pv, imagePad, padId);
  }

  /** The last {@code maxPromptLength} ids, or an error when the cut part holds a vision token. */
  private long[] truncate(String label, long[] ids, boolean withImage, int imageTokens) {
    if (ids.length <= maxPromptLength) {
      return ids;
    }
    int cut = ids.length - maxPromptLength;
    long pad = tokenizer.imagePadId();
    for (int i = 0; i < cut; i++) {
      if (ids[i] == pad || (withImage && (ids[i] == tokenizer.visionStartId() || ids[i] == tokenizer.visionEndId()))) {
        throw new VirftException(
            label + ": prompt has " + ids.length + " tokens (" + imageTokens + " of them image tokens); "
                + "--max_prompt_length " + maxPromptLength + " would cut image tokens. Raise --max_prompt_length "
                + "or lower --max_pixels");
      }
    }
    return Arrays.copyOfRange(ids, cut, ids.length);
  }

  /**
   * Expands image pads and left-pads a batch of token ids. Each sample holds one {@code imagePadId}
   * per image; images are taken from {@code pixels} in order across the batch ({@code pixels} may be
   * null when no sample has an image).
   */
  public static ProcessorOutput batch(List<long[]> promptIds, PixelValues pixels, long imagePadId, long padId) {
    return leftPad(expand(promptIds, pixels, imagePadId), pixels, imagePadId, padId);
  }

  /** Each sample's ids with every image pad repeated once per merged patch of its image. */
  private static long[][] expand(List<long[]> promptIds, PixelValues pixels, long imagePadId) {
    int nImages = pixels == null ? 0 : pixels.images();
    int[] tokens = new int[nImages];
    for (int i = 0; i < nImages; i++) {
      tokens[i] = pixels.tokens(i);
    }
    int next = 0;
    long[][] expanded = new long[promptIds.size()][];
    for (int s = 0; s < promptIds.size(); s++) {
      long[] in = promptIds.get(s);
      int n = count(in, imagePadId);
      if (next + n > nImages) {
        throw new VirftException("sample " + s + ": more " + QwenTokenizer.IMAGE_PAD + " tokens than the "
            + nImages + " images of the batch");
      }
      expanded[s] = expandImagePads(in, imagePadId, Arrays.copyOfRange(tokens, next, next + n));
      next += n;
    }
    if (next != nImages) {
      throw new VirftException("the batch has " + nImages + " images but only " + next + " "
          + QwenTokenizer.IMAGE_PAD + " tokens");
    }
    return expanded;
  }

  /** One prompt's ids with its k-th {@code imagePadId} repeated {@code tokensPerImage[k]} times. */
  public static long[] expandImagePads(long[] ids, long imagePadId, int... tokensPerImage) {
    int pads = count(ids, imagePadId);
    if (pads != tokensPerImage.length) {
      throw new VirftException("the prompt has " + pads + " " + QwenTokenizer.IMAGE_PAD + " tokens but "
          + tokensPerImage.length + " images were given");
    }
    int len = ids.length - pads;
    for (int n : tokensPerImage) {
      len += n;
    }
    long[] out = new long[len];
    int o = 0;
    int img = 0;
    for (long id : ids) {
      if (id == imagePadId) {
        int n = tokensPerImage[img++];
        for (int k = 0; k < n; k++) {
          out[o++] = imagePadId;
        }
      } else {
        out[o++] = id;
      }
    }
    return out;
  }

  private static ProcessorOutput leftPad(long[][] expanded, PixelValues pixels, long imagePadId, long padId) {
    int maxLen = 0;
    for (long[] e : expanded) {
      maxLen = Math.max(maxLen, e.length);
    }
    int b = expanded.length;
    long[] ids = new long[b * maxLen];
    long[] mask = new long[b * maxLen];
    long[] mm = new long[b * maxLen];
    for (int s = 0; s < b; s++) {
      int pad = maxLen - expanded[s].length;
      for (int j = 0; j < maxLen; j++) {
        int k = s * maxLen + j;
        if (j < pad) {
          ids[k] = padId;
        } else {
          long id = expanded[s][j - pad];
          ids[k] = id;
          mask[k] = 1;
          mm[k] = id == imagePadId ? 1 : 0;
        }
      }
    }
    Tensor pv = pixels == null ? null : pixels.pixelValues();
    long[][] grids = pixels == null ? new long[0][] : pixels.gridThw();
    return new ProcessorOutput(Tensors.longs(ids, b, maxLen), Tensors.longs(mask, b, maxLen),
        Tensors.longs(mm, b, maxLen), pv, grids, expanded, padId);
  }

  private static int count(long[] ids, long id) {
    int n = 0;
    for (long x : ids) {
      if (x == id) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
