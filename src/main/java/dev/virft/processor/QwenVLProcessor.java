package dev.virft.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Qwen2-VL's processor: chat messages and images in, a left-padded batch out. Each image's single
 * {@code <|image_pad|>} in the rendered prompt becomes {@code t*h*w / merge²} pads (its grid from the
 * image processor), as transformers' {@code Qwen2VLProcessor.__call__} expands them.
 *
 * <p>Expansion happens on token ids rather than on the text: {@code <|image_pad|>} is an added token,
 * so the tokenizer splits the text at it either way and both give the same ids.
 */
public final class QwenVLProcessor implements AutoCloseable {
  private final QwenTokenizer tokenizer;
  private final ChatTemplate template;
  private final ImageProcessor images;
  private final long padId;

  public QwenVLProcessor(QwenTokenizer tokenizer, ChatTemplate template, ImageProcessor images, long padId) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.images = images;
    this.padId = padId;
  }

  /** Tokenizer, chat template and image processor of a checkpoint; pads with the tokenizer's pad token. */
  public static QwenVLProcessor fromCheckpoint(Path dir) {
    QwenTokenizer tok = QwenTokenizer.fromCheckpoint(dir);
    return new QwenVLProcessor(tok, ChatTemplate.fromCheckpoint(dir), ImageProcessor.fromCheckpoint(dir), tok.padId());
  }

  public QwenVLProcessor withPadId(long id) {
    return new QwenVLProcessor(tokenizer, template, images, id);
  }

  public QwenVLProcessor withImageProcessor(ImageProcessor p) {
    return new QwenVLProcessor(tokenizer, template, p, padId);
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

  /** Encodes rendered prompts, each holding one {@code <|image_pad|>} per image of its sample. */
  public ProcessorOutput encode(List<String> prompts, List<? extends List<BufferedImage>> imagesPerSample) {
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
        throw new VirftException("sample " + i + ": the prompt has " + pads + " " + QwenTokenizer.IMAGE_PAD
            + " tokens but " + imagesPerSample.get(i).size() + " images were given");
      }
    }
    return batch(ids, pv, imagePad, padId);
  }

  /**
   * Expands image pads and left-pads a batch of token ids. Each sample holds one {@code imagePadId}
   * per image; images are taken from {@code pixels} in order across the batch ({@code pixels} may be
   * null when no sample has an image).
   */
  public static ProcessorOutput batch(List<long[]> promptIds, PixelValues pixels, long imagePadId, long padId) {
    int nImages = pixels == null ? 0 : pixels.images();
    int next = 0;
    long[][] expanded = new long[promptIds.size()][];
    int maxLen = 0;
    for (int s = 0; s < promptIds.size(); s++) {
      long[] in = promptIds.get(s);
      int len = 0;
      int first = next;
      for (long id : in) {
        if (id == imagePadId) {
          if (next >= nImages) {
            throw new VirftException("sample " + s + ": more " + QwenTokenizer.IMAGE_PAD + " tokens than the "
                + nImages + " images of the batch");
          }
          len += pixels.tokens(next++);
        } else {
          len++;
        }
      }
      long[] out = new long[len];
      int o = 0;
      int img = first;
      for (long id : in) {
        if (id == imagePadId) {
          int n = pixels.tokens(img++);
          for (int k = 0; k < n; k++) {
            out[o++] = imagePadId;
          }
        } else {
          out[o++] = id;
        }
      }
      expanded[s] = out;
      maxLen = Math.max(maxLen, len);
    }
    if (next != nImages) {
      throw new VirftException("the batch has " + nImages + " images but only " + next + " "
          + QwenTokenizer.IMAGE_PAD + " tokens");
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
