package dev.virft.model;

import dev.virft.generation.PrefillSession;
import dev.virft.model.text.CausalMask;
import dev.virft.model.text.Qwen2Model;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Qwen2 decoder mid-generation: a KV cache whose rows hold their prompt right-aligned at
 * [longest - len, longest) (left padding, as a padded batch would), filled from each prompt's own
 * prefill, then one token per row per step. Everything a step needs besides the token is made once:
 * the additive mask (a step unblocks one column in place) and the rotary cos/sin of every decode
 * position (text tokens after the prompt sit at the same position on all three M-RoPE axes), so a
 * step is the decoder's own ops and nothing from the host.
 */
final class QwenDecodeSession implements PrefillSession {
  private final QwenVLModel model;
  private final Qwen2Model lm;
  private final QwenVLConfig cfg;
  private final Device device;
  private final int longest;
  private final int maxNew;
  private final KVCache cache;
  private final long[] promptLengths;
  private final long[] nextPositions;
  private final Tensor imageEmbeds; // all prompts' images, in order; null without images
  private final long[][][] grids; // each prompt's rows of image_grid_thw; null without images
  private long imageOffset;
  private Tensor mask; // [rows, 1, 1, longest + maxNew] additive
  private Tensor cos; // [rows, 1, maxNew, headDim]
  private Tensor sin;
  private int rows;
  private int steps;

  QwenDecodeSession(QwenVLModel model, int rows, int longest, int maxNew, Tensor imageEmbeds, long[][][] grids) {
    this.model = model;
    this.lm = model.model().languageModel();
    this.cfg = model.config();
    this.device = model.device();
    this.rows = rows;
    this.longest = longest;
    this.maxNew = maxNew;
    this.imageEmbeds = imageEmbeds;
    this.grids = grids;
    this.cache = new KVCache(cfg, rows, longest + maxNew, device);
    this.promptLengths = new long[rows];
    this.nextPositions = new long[rows];
  }

  /** Each prompt's rows of image_grid_thw (its images in order; a prompt may have none). */
  static long[][][] gridsPerPrompt(QwenVLConfig cfg, long[][] ids, long[][] grids) {
    long[][][] out = new long[ids.length][][];
    int g = 0;
    for (int p = 0; p < ids.length; p++) {
      long[] row = ids[p];
      int images = 0;
      for (int j = 0; j + 1 < row.length; j++) {
        if (row[j] == cfg.visionStartTokenId() && row[j + 1] == cfg.imageTokenId()) {
          images++;
        }
      }
      if (g + images > grids.length) {
        throw new VirftException("image_grid_thw: " + grids.length + " rows, but the prompts hold more images");
      }
      out[p] = Arrays.copyOfRange(grids, g, g + images);
      g += images;
    }
    return out;
  }

  /** The prompt alone, unpadded (what generating it on its own computes), copied to its rows. */
  @Override
  public Tensor prefill(int prompt, long[] tokens, int row, int count) {
    Tensor mine = null;
    if (imageEmbeds != null) {
      long images = 0;
      for (long id : tokens) {
        images += id == cfg.imageTokenId() ? 1 : 0;
      }
      mine = imageEmbeds.narrow(0, imageOffset, images);
      imageOffset += images;
    }
    int l = tokens.length;
    try (KVCache own = new KVCache(cfg, 1, l, device)) {
      Tensor h = model.model().hidden(Tensors.longs(tokens, 1, l), null, mine, grids == null ? null : grids[prompt], own);
      Tensor logits = model.logits(h.select(1, l - 1));
      cache.copyPrompt(own, 0, l, row, count, longest - l);
      long ropeDelta = own.ropeDeltas()[0];
      for (int r = row; r < row + count; r++) {
        promptLengths[r] = l;
        // transformers: the j-th new token sits at (real tokens before it) + delta.
        nextPositions[r] = l + ropeDelta;
      }
      return logits;
    }
  }

  /** After every prompt was added: the mask and the rotary tables of the decode positions. */
  @Override
  public void start() {
    cache.setLength(longest);
    int cap = longest + maxNew;
    float blocked = CausalMask.blocked(device);
    float[] m = new float[rows * cap];
    long[] pos = new long[3 * rows * maxNew];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cap; j++) {
        m[r * cap + j] = j >= longest - promptLengths[r] && j < longest ? 0f : blocked;
      }
      for (int a = 0; a < 3; a++) {
        for (int s = 0; s < maxNew; s++) {
          pos[(a * rows + r) * maxNew + s] = nextPositions[r] + s;
        }
      }
    }
    org.bytedeco.pytorch.Device dev = device.torchDevice();
    mask = keep(Tensors.floats(m, rows, 1, 1, cap).to(dev, device.computeType()));
    Tensor[] cs = lm.rotaryEmb().forward(Tensors.longs(pos, 3, rows, maxNew).to(dev, torch.ScalarType.Long));
    cos = keep(cs[0]);
    sin = keep(cs[1]);
  }

  private static Tensor keep(Tensor t) {
    t.retainReference();
    return t;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public Tensor step(Tensor tokens) {
    int at = cache.length();
    mask.narrow(3, at, 1).zero_();
    Tensor embeds = lm.embed(tokens.unsqueeze(1));
    Tensor h = lm.forwardWithRotary(embeds,
        new Tensor[] {cos.narrow(2, steps, 1), sin.narrow(2, steps, 1)}, mask.narrow(3, 0, at + 1), cache);
    cache.advance(1);
    steps++;
    return model.logits(h.select(1, 0));
  }

  @Override
  public void keepRows(Tensor index) {
    cache.keepRows(index);
    Tensor m = keep(mask.index_select(0, index));
    Tensor c = keep(cos.index_select(0, index));
    Tensor s = keep(sin.index_select(0, index));
    release();
    mask = m;
    cos = c;
    sin = s;
    rows = (int) index.size(0);
  }

  private void release() {
    for (Tensor t : new Tensor[] {mask, cos, sin}) {
      if (t != null) {
        t.releaseReference();
      }
    }
  }

  @Override
  public void close() {
    release();
    mask = null;
    cos = null;
    sin = null;
    cache.close();
  }
}
