package dev.virft.model;

import dev.virft.generation.DecodeSession;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The Qwen2 decoder mid-generation: a KV cache whose rows hold their prompt right-aligned at
 * [longest - len, longest) (left padding, as a padded batch would), filled from each prompt's own
 * prefill, then one token per row per step. Everything a step needs besides the token is made once:
 * the additive mask (a step unblocks one column in place) and the rotary cos/sin of every decode
 * position (text tokens after the prompt sit at the same position on all three M-RoPE axes), so a
 * step is the decoder's own ops and nothing from the host.
 */
final class QwenDecodeSession implements DecodeSession {
  private final Qwen2LanguageModel lm;
  private final QwenVLConfig cfg;
  private final Device device;
  private final int longest;
  private final int maxNew;
  private final KVCache cache;
  private final long[] promptLengths;
  private final long[] nextPositions;
  private Tensor mask; // [rows, 1, 1, longest + maxNew] additive
  private Tensor cos; // [rows, 1, maxNew, headDim]
  private Tensor sin;
  private int rows;
  private int steps;

  QwenDecodeSession(Qwen2LanguageModel lm, QwenVLConfig cfg, Device device, int rows, int longest, int maxNew) {
    this.lm = lm;
    this.cfg = cfg;
    this.device = device;
    this.rows = rows;
    this.longest = longest;
    this.maxNew = maxNew;
    this.cache = new KVCache(cfg, rows, longest + maxNew, device);
    this.promptLengths = new long[rows];
    this.nextPositions = new long[rows];
  }

  /** Rows [row, row + count) continue the prompt prefilled alone in {@code own} (length {@code len}). */
  void addPrompt(KVCache own, int row, int count, int len, long ropeDelta) {
    cache.copyPrompt(own, 0, len, row, count, longest - len);
    for (int r = row; r < row + count; r++) {
      promptLengths[r] = len;
      // transformers: the j-th new token sits at (real tokens before it) + delta.
      nextPositions[r] = len + ropeDelta;
    }
  }

  /** After every prompt was added: the mask and the rotary tables of the decode positions. */
  void start() {
    cache.setLength(longest);
    int cap = longest + maxNew;
    float blocked = device.computeType() == torch.ScalarType.BFloat16 ? -3.3895313892515355e38f : -Float.MAX_VALUE;
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
    Tensor[] cs = lm.rotary(Tensors.longs(pos, 3, rows, maxNew).to(dev, torch.ScalarType.Long));
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
    return lm.logits(h.select(1, 0));
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
